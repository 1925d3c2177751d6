-- 008_storage.sql — images are stored out of line without compression:
-- TIFF entries (G4, JPEG, LZW), cleaned G4 pages and PDFs are compressed
-- already, and pglz spent about 4 ms per archive entry finding that out
-- (measured on unpack: 366 ms of 525 ms for 95 entries).
ALTER TABLE source_file ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE page ALTER COLUMN cleaned SET STORAGE EXTERNAL;
ALTER TABLE document ALTER COLUMN pdf SET STORAGE EXTERNAL;
