-- The webhook inbox's bodies compressed by LZ4 instead of pglz (issue #5): a push's ~4 KB
-- body is compressed as it is stored, on the acknowledgement's path, and pglz_compress was
-- the largest single function of PostgreSQL's CPU there. LZ4 compresses several times
-- faster, to a similar size. Bodies stored before keep pglz (both are read back).
-- A server built without LZ4 (--without-lz4) keeps pglz.
DO $$
BEGIN
  ALTER TABLE webhook_inbox_bodies ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'LZ4 is not available: webhook bodies stay compressed by pglz';
END
$$;
