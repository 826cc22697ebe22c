-- (b) by hand: containment on the indexed jsonb copy.
\set n random(1, :rooms)
SELECT body::text FROM twins WHERE doc @> jsonb_build_object('name', 'room ' || :n) LIMIT 100;
