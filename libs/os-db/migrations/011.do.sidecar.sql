-- os database, migration 011: Sidecar: user alerts, patient milestones with their history and sub-steps, and tasks users own.
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

-- An alert shown to a user in the sidecar (type, priority, title), with its read and dismissed state.
CREATE TABLE IF NOT EXISTS user_alert (
  alert_id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  user_id            uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  alert_type         varchar(50) NOT NULL,
  priority           varchar(20) NOT NULL DEFAULT 'normal',
  title              varchar(255) NOT NULL,
  body               text,
  action             jsonb,
  source_type        varchar(50),
  source_id          uuid,
  read               boolean NOT NULL DEFAULT false,
  read_at            timestamp,
  dismissed          boolean NOT NULL DEFAULT false,
  dismissed_at       timestamp,
  expires_at         timestamp,
  created_at         timestamp NOT NULL DEFAULT now()
);

-- A milestone on a patient's path to payment (e.g. visit booked, eligibility verified, claim paid) and its status.
CREATE TABLE IF NOT EXISTS milestone (
  milestone_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  plan_id            uuid REFERENCES resolution_plan (plan_id) ON DELETE SET NULL,
  milestone_type     varchar(50) NOT NULL,
  title              varchar(255) NOT NULL,
  description        text,
  sequence           integer NOT NULL DEFAULT 0,
  status             varchar(20) NOT NULL DEFAULT 'pending',
  target_date        date,
  reached_at         timestamp,
  owner_user_id      uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- A status change of a milestone: from, to, by whom and why.
CREATE TABLE IF NOT EXISTS milestone_history (
  history_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  milestone_id    uuid NOT NULL REFERENCES milestone (milestone_id) ON DELETE CASCADE,
  previous_status varchar(20),
  new_status      varchar(20) NOT NULL,
  changed_by      uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  change_source   varchar(20) NOT NULL DEFAULT 'user',
  change_reason   text,
  details         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamp NOT NULL DEFAULT now()
);

-- One sub-step of a milestone, in order, with its status.
CREATE TABLE IF NOT EXISTS milestone_substep (
  substep_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  milestone_id  uuid NOT NULL REFERENCES milestone (milestone_id) ON DELETE CASCADE,
  substep_order integer NOT NULL DEFAULT 0,
  substep_code  varchar(100),
  title         varchar(255) NOT NULL,
  status        varchar(20) NOT NULL DEFAULT 'pending',
  completed_by  uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  completed_at  timestamp,
  created_at    timestamp NOT NULL DEFAULT now(),
  updated_at    timestamp NOT NULL DEFAULT now()
);

-- A to-do a user owns in the sidecar (their own, or taken over from a milestone or task instance).
CREATE TABLE IF NOT EXISTS user_owned_task (
  user_owned_task_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  user_id            uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  milestone_id       uuid REFERENCES milestone (milestone_id) ON DELETE SET NULL,
  task_instance_id   uuid REFERENCES task_instance (task_instance_id) ON DELETE SET NULL,
  title              varchar(255) NOT NULL,
  description        text,
  source             varchar(20) NOT NULL DEFAULT 'user',
  status             varchar(20) NOT NULL DEFAULT 'open',
  priority           varchar(20) NOT NULL DEFAULT 'normal',
  due_at             timestamp,
  completed_at       timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_user_alert_tenant_id', 'user_alert', 'tenant_id');
SELECT pg_temp.ensure_index('idx_user_alert_user_id', 'user_alert', 'user_id', 'dismissed', 'read');
SELECT pg_temp.ensure_index('idx_user_alert_patient_context_id', 'user_alert', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_milestone_tenant_id', 'milestone', 'tenant_id');
SELECT pg_temp.ensure_index('idx_milestone_patient_context_id', 'milestone', 'patient_context_id', 'sequence');
SELECT pg_temp.ensure_index('idx_milestone_plan_id', 'milestone', 'plan_id');
SELECT pg_temp.ensure_index('idx_milestone_status', 'milestone', 'status');
SELECT pg_temp.ensure_index('idx_milestone_owner_user_id', 'milestone', 'owner_user_id');
SELECT pg_temp.ensure_index('idx_milestone_history_milestone_id', 'milestone_history', 'milestone_id', 'created_at');
SELECT pg_temp.ensure_index('idx_milestone_history_changed_by', 'milestone_history', 'changed_by');
SELECT pg_temp.ensure_index('idx_milestone_substep_milestone_id', 'milestone_substep', 'milestone_id', 'substep_order');
SELECT pg_temp.ensure_index('idx_milestone_substep_completed_by', 'milestone_substep', 'completed_by');
SELECT pg_temp.ensure_index('idx_user_owned_task_tenant_id', 'user_owned_task', 'tenant_id');
SELECT pg_temp.ensure_index('idx_user_owned_task_user_id', 'user_owned_task', 'user_id', 'status');
SELECT pg_temp.ensure_index('idx_user_owned_task_patient_context_id', 'user_owned_task', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_user_owned_task_milestone_id', 'user_owned_task', 'milestone_id');
SELECT pg_temp.ensure_index('idx_user_owned_task_task_instance_id', 'user_owned_task', 'task_instance_id');
SELECT pg_temp.ensure_index('idx_user_owned_task_status', 'user_owned_task', 'status');
