"""Writers: results JSON, workbook, decision draft. Each writes through atomic.write_atomic."""
