-- (a) by hand: the model and the models that extend it, then the first 100 twins in id order.
-- (:space is dtmi:bench:Space;1, given with -D: pgbench would read a colon inside a literal as a variable.)
SELECT body::text FROM twins
WHERE model_id IN (SELECT model_id FROM model_bases WHERE base_id = :space UNION SELECT :space)
ORDER BY id LIMIT 100;
