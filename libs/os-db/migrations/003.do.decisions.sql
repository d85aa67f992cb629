-- os database, migration 003: Decisions: assistant sessions and invocations, the system's responses (proceed indicator), users' quick replies, assignments and the event log.
-- Safe to run against the production os database whose tables already exist (created before these
-- migrations, without a tracking table): every statement is IF NOT EXISTS / ON CONFLICT DO NOTHING,
-- nothing is dropped or altered. Timestamps are 'timestamp' without time zone, in UTC.

-- Index helper for this file (a session-local function in pg_temp, gone when the connection closes).
-- It runs CREATE INDEX IF NOT EXISTS only when the table has every named column: the production os
-- database created these tables before these migrations existed, and CREATE TABLE IF NOT EXISTS keeps
-- its tables as they are, so a column designed here may be missing there; the index is then skipped
-- (with a NOTICE) instead of failing the migration.
CREATE OR REPLACE FUNCTION pg_temp.ensure_index(index_name text, table_name text, VARIADIC columns text[])
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM information_schema.columns c
       WHERE c.table_schema = current_schema()
         AND c.table_name = ensure_index.table_name
         AND c.column_name = ANY (ensure_index.columns)) = cardinality(ensure_index.columns) THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (%s)', index_name, table_name,
                   (SELECT string_agg(format('%I', col), ', ') FROM unnest(ensure_index.columns) AS col));
  ELSE
    RAISE NOTICE 'os migration: index % skipped, table % lacks one of the columns %', index_name, table_name, columns;
  END IF;
END
$fn$;

-- A user's working session with the assistant in one application, usually on one patient.
CREATE TABLE IF NOT EXISTS session (
  session_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  user_id            uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  application_id     uuid REFERENCES application (application_id) ON DELETE SET NULL,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  status             varchar(20) NOT NULL DEFAULT 'active',
  context            jsonb NOT NULL DEFAULT '{}'::jsonb,
  started_at         timestamp NOT NULL DEFAULT now(),
  last_activity_at   timestamp NOT NULL DEFAULT now(),
  ended_at           timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- One call of the assistant (a user opening or asking the sidecar on a page), with its request context.
CREATE TABLE IF NOT EXISTS invocation (
  invocation_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  session_id         uuid REFERENCES session (session_id) ON DELETE CASCADE,
  user_id            uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  application_id     uuid REFERENCES application (application_id) ON DELETE SET NULL,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  trigger_type       varchar(30) NOT NULL DEFAULT 'manual',
  page_url           text,
  page_context       jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_payload    jsonb NOT NULL DEFAULT '{}'::jsonb,
  status             varchar(20) NOT NULL DEFAULT 'received',
  error_message      text,
  latency_ms         integer,
  created_at         timestamp NOT NULL DEFAULT now(),
  completed_at       timestamp
);

-- The system's answer to an invocation: the proceed indicator colour, its message and recommended actions.
CREATE TABLE IF NOT EXISTS system_response (
  response_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenant (tenant_id),
  invocation_id       uuid REFERENCES invocation (invocation_id) ON DELETE CASCADE,
  session_id          uuid REFERENCES session (session_id) ON DELETE CASCADE,
  patient_context_id  uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  proceed_indicator   varchar(10) NOT NULL DEFAULT 'grey'
                      CHECK (proceed_indicator IN ('grey', 'green', 'yellow', 'blue', 'red', 'purple')),
  response_type       varchar(50),
  message             text,
  reasoning           text,
  recommended_actions jsonb NOT NULL DEFAULT '[]'::jsonb,
  response_json       jsonb NOT NULL DEFAULT '{}'::jsonb,
  confidence          numeric(5,4) CHECK (confidence BETWEEN 0 AND 1),
  policy_version      integer,
  model               varchar(100),
  created_at          timestamp NOT NULL DEFAULT now()
);

-- A user's quick reply to a system response (acknowledge, answer, override the colour, add a note).
CREATE TABLE IF NOT EXISTS mini_submission (
  submission_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  response_id        uuid REFERENCES system_response (response_id) ON DELETE CASCADE,
  invocation_id      uuid REFERENCES invocation (invocation_id) ON DELETE CASCADE,
  user_id            uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  submission_type    varchar(30) NOT NULL,
  selected_option    varchar(100),
  override_indicator varchar(10) CHECK (override_indicator IN ('grey', 'green', 'yellow', 'blue', 'red', 'purple')),
  note               text,
  submission_json    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at         timestamp NOT NULL DEFAULT now()
);

-- The assignment of a patient's work to a user (who owns it, who assigned it, until when).
CREATE TABLE IF NOT EXISTS assignment (
  assignment_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id  uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  assigned_to_user_id uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  assigned_by_user_id uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  activity_code       varchar(50),
  reason              text,
  status              varchar(20) NOT NULL DEFAULT 'active',
  due_at              timestamp,
  completed_at        timestamp,
  created_at          timestamp NOT NULL DEFAULT now(),
  updated_at          timestamp NOT NULL DEFAULT now()
);

-- An append-only record of something that happened, with its payload and a correlation id tying related events.
CREATE TABLE IF NOT EXISTS event_log (
  event_id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid REFERENCES tenant (tenant_id),
  event_type         varchar(100) NOT NULL,
  payload_json       jsonb NOT NULL DEFAULT '{}'::jsonb,
  correlation_id     varchar(255),
  user_id            uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE SET NULL,
  session_id         uuid REFERENCES session (session_id) ON DELETE SET NULL,
  invocation_id      uuid REFERENCES invocation (invocation_id) ON DELETE SET NULL,
  source             varchar(100),
  created_at         timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_session_tenant_id', 'session', 'tenant_id');
SELECT pg_temp.ensure_index('idx_session_user_id', 'session', 'user_id');
SELECT pg_temp.ensure_index('idx_session_application_id', 'session', 'application_id');
SELECT pg_temp.ensure_index('idx_session_patient_context_id', 'session', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_session_status', 'session', 'status');
SELECT pg_temp.ensure_index('idx_invocation_tenant_id', 'invocation', 'tenant_id');
SELECT pg_temp.ensure_index('idx_invocation_session_id', 'invocation', 'session_id');
SELECT pg_temp.ensure_index('idx_invocation_user_id', 'invocation', 'user_id');
SELECT pg_temp.ensure_index('idx_invocation_application_id', 'invocation', 'application_id');
SELECT pg_temp.ensure_index('idx_invocation_patient_context_id', 'invocation', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_invocation_created_at', 'invocation', 'created_at');
SELECT pg_temp.ensure_index('idx_system_response_tenant_id', 'system_response', 'tenant_id');
SELECT pg_temp.ensure_index('idx_system_response_invocation_id', 'system_response', 'invocation_id');
SELECT pg_temp.ensure_index('idx_system_response_session_id', 'system_response', 'session_id');
SELECT pg_temp.ensure_index('idx_system_response_patient_context_id', 'system_response', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_system_response_proceed_indicator', 'system_response', 'proceed_indicator');
SELECT pg_temp.ensure_index('idx_mini_submission_tenant_id', 'mini_submission', 'tenant_id');
SELECT pg_temp.ensure_index('idx_mini_submission_response_id', 'mini_submission', 'response_id');
SELECT pg_temp.ensure_index('idx_mini_submission_invocation_id', 'mini_submission', 'invocation_id');
SELECT pg_temp.ensure_index('idx_mini_submission_user_id', 'mini_submission', 'user_id');
SELECT pg_temp.ensure_index('idx_mini_submission_patient_context_id', 'mini_submission', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_assignment_tenant_id', 'assignment', 'tenant_id');
SELECT pg_temp.ensure_index('idx_assignment_patient_context_id', 'assignment', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_assignment_assigned_to_user_id', 'assignment', 'assigned_to_user_id');
SELECT pg_temp.ensure_index('idx_assignment_assigned_by_user_id', 'assignment', 'assigned_by_user_id');
SELECT pg_temp.ensure_index('idx_assignment_status', 'assignment', 'status');
SELECT pg_temp.ensure_index('idx_event_log_tenant_id', 'event_log', 'tenant_id');
SELECT pg_temp.ensure_index('idx_event_log_event_type', 'event_log', 'event_type');
SELECT pg_temp.ensure_index('idx_event_log_correlation_id', 'event_log', 'correlation_id');
SELECT pg_temp.ensure_index('idx_event_log_user_id', 'event_log', 'user_id');
SELECT pg_temp.ensure_index('idx_event_log_patient_context_id', 'event_log', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_event_log_session_id', 'event_log', 'session_id');
SELECT pg_temp.ensure_index('idx_event_log_invocation_id', 'event_log', 'invocation_id');
SELECT pg_temp.ensure_index('idx_event_log_created_at', 'event_log', 'created_at');
