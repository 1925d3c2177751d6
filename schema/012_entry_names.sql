-- 012_entry_names.sql — archive entry names as the archive holds them, and
-- a per-archive page limit (issue 12, items 4 and 7).
--
-- source_file.path is the name shown to people: decoded (UTF-8 as
-- libarchive reports it, or CP437 for a zip without the UTF-8 flag), with
-- bytes that do not decode written \xHH and a backslash that would read as
-- an escape written \\.  path_raw keeps the name's bytes as libarchive
-- gave them, for byte-exact reporting; NULL for rows from before 012 and
-- for an entry whose name libarchive could not give at all.
ALTER TABLE source_file ADD COLUMN path_raw bytea;

-- The most pages one archive may bring in (chartscan submit --max-pages);
-- NULL: the built-in default.  Pages beyond it are stored, marked failed
-- with the reason, and not recognised.
ALTER TABLE batch ADD COLUMN max_pages integer CHECK (max_pages > 0);
