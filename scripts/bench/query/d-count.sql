-- (d) by hand.
SELECT count(*) FROM twins
WHERE model_id = 'dtmi:bench:Sensor;1' AND jsonb_typeof(doc -> 'temperature') = 'number' AND (doc -> 'temperature')::numeric > 25;
