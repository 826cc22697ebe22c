-- The DPS and IoT Hub emulators (`twins emulate`, Sources/DeviceEmulators).

-- DPS enrollment groups (symmetric-key attestation), from the enrollment file and the REST API.
CREATE TABLE dps_enrollment_groups (
    id text PRIMARY KEY,
    primary_key text NOT NULL,
    secondary_key text NOT NULL,
    allocation_policy text NOT NULL,
    webhook_url text,
    webhook_key text,
    webhook_api_version text NOT NULL,
    iot_hubs text[] NOT NULL,
    initial_twin jsonb,
    enabled boolean NOT NULL,
    etag text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per registration request (PUT .../register). A row stays `assigning` until the
-- allocation worker has called the webhook; `next_attempt_at` doubles as the worker's lease.
CREATE TABLE dps_operations (
    operation_id text PRIMARY KEY,
    id_scope text NOT NULL,
    registration_id text NOT NULL,
    registration_key text NOT NULL,          -- lower-cased: registration ids are case-insensitive
    enrollment_group_id text NOT NULL,
    payload jsonb,                            -- the device's custom payload
    status text NOT NULL,                     -- assigning | assigned | failed
    substatus text,
    assigned_hub text,
    device_id text,
    result_payload jsonb,                     -- AllocationResponse.payload, returned to the device
    error_code integer,
    error_message text,
    etag text NOT NULL,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dps_operations_by_registration ON dps_operations (id_scope, registration_key, created_at DESC);
CREATE INDEX dps_operations_pending ON dps_operations (next_attempt_at) WHERE status = 'assigning';

-- IoT Hub device identities, for every emulated hub (`hub` is the host name, lower-cased).
CREATE TABLE hub_devices (
    hub text NOT NULL,
    device_id text NOT NULL,
    generation_id text NOT NULL,
    version bigint NOT NULL DEFAULT 0,        -- the device etag is base64 of this number's digits
    twin_version bigint NOT NULL DEFAULT 2,
    status text NOT NULL DEFAULT 'enabled',
    status_reason text,
    auth_type text NOT NULL DEFAULT 'sas',
    primary_key text,
    secondary_key text,
    iot_edge boolean NOT NULL DEFAULT false,
    tags jsonb NOT NULL DEFAULT '{}',
    desired jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_updated_at timestamptz,
    last_activity_at timestamptz,
    PRIMARY KEY (hub, device_id)
);

-- The hubs' durable message queue: lifecycle events and accepted telemetry, inserted in the
-- transaction of the registry change or with the message's acceptance.
CREATE TABLE hub_outbox (
    id bigserial PRIMARY KEY,
    hub text NOT NULL,
    source text NOT NULL,                     -- DeviceLifecycleEvents | DeviceMessages
    event_id text NOT NULL,                   -- Event Grid id
    device_id text NOT NULL,
    properties jsonb NOT NULL,                -- application properties
    system_properties jsonb NOT NULL,
    body bytea NOT NULL,
    enqueued_at timestamptz NOT NULL,
    grid_data jsonb,                          -- Event Grid `data` of a lifecycle event
    routed_at timestamptz                     -- when its deliveries were created
);
CREATE INDEX hub_outbox_unrouted ON hub_outbox (id) WHERE routed_at IS NULL;

-- One row per (message, endpoint) a route selected; retried until delivered.
CREATE TABLE hub_deliveries (
    outbox_id bigint NOT NULL REFERENCES hub_outbox (id) ON DELETE CASCADE,
    endpoint text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    last_status integer,
    last_error text,
    PRIMARY KEY (outbox_id, endpoint)
);
CREATE INDEX hub_deliveries_due ON hub_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
