\set id random(1, 100000)
SELECT body::text, etag::text FROM twins WHERE id = 'bench-' || :id;
