-- The body is the text that the gateway sends for a new twin; \x3a is a colon that pgbench
-- must not read as a variable (dtmi:com:...).
\set n random(1, 1000000000000)
INSERT INTO twins (id, model_id, etag, body) VALUES ('pgb-' || :n, E'dtmi\x3acom\x3aexample\x3aThermostat;1', gen_random_uuid(), E'{"$dtId":"pgb","$etag":"W/\\"6f1c2a9e-0d4b-4c55-9a57-3f0c8e1b2d44\\"","temperature":21.37,"targetTemperature":21.5,"humidity":45.2,"name":"pgb","mode":"heat","$metadata":{"$model":"dtmi\x3acom\x3aexample\x3aThermostat;1","$lastUpdateTime":"2026-01-01T00:00:00.0000000Z","temperature":{"lastUpdateTime":"2026-01-01T00:00:00.0000000Z"},"targetTemperature":{"lastUpdateTime":"2026-01-01T00:00:00.0000000Z"},"humidity":{"lastUpdateTime":"2026-01-01T00:00:00.0000000Z"},"name":{"lastUpdateTime":"2026-01-01T00:00:00.0000000Z"},"mode":{"lastUpdateTime":"2026-01-01T00:00:00.0000000Z"}}}'::json)
ON CONFLICT (id) DO UPDATE SET model_id = EXCLUDED.model_id, etag = EXCLUDED.etag, body = EXCLUDED.body;
