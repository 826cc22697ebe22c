-- (d) by hand (:sensor is dtmi:bench:Sensor;1, given with -D).
SELECT count(*) FROM twins
WHERE model_id = :sensor AND jsonb_typeof(doc -> 'temperature') = 'number' AND (doc -> 'temperature')::numeric > 25;
