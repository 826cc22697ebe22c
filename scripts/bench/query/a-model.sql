-- (a) by hand: the model and the models that extend it, then the first 100 twins in id order.
SELECT body::text FROM twins
WHERE model_id IN (SELECT model_id FROM model_bases WHERE base_id = 'dtmi:bench:Space;1' UNION SELECT 'dtmi:bench:Space;1')
ORDER BY id LIMIT 100;
