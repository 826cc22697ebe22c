-- (c) by hand: floor -> contains -> room -> contains -> sensor.
\set n random(1, :floors)
SELECT s.body::text FROM relationships r1
JOIN relationships r2 ON r2.source_id = r1.target_id AND r2.name = 'contains'
JOIN twins s ON s.id = r2.target_id
WHERE r1.source_id = 'floor-' || :n AND r1.name = 'contains';
