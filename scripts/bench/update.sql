\set id random(1, 100000)
\set v random(0, 4000)
UPDATE twins SET body = jsonb_set(body::jsonb, '{temperature}', to_jsonb(:v / 100.0))::json, etag = gen_random_uuid() WHERE id = 'bench-' || :id;
