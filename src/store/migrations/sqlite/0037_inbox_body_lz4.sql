-- PostgreSQL's 0037 compresses the webhook inbox's bodies with LZ4 instead of pglz. SQLite
-- stores a body as it came and compresses nothing, so there is nothing to change here: the
-- version is recorded so that both back-ends keep the same numbered migrations.
SELECT 1;
