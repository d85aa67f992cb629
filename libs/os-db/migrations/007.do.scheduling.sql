-- os database, migration 007: Scheduling: providers, their schedules, slots and exceptions, appointments, reminders, intake forms and insurance verifications.
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

-- A clinician who sees patients (may also be a user of the os).
CREATE TABLE IF NOT EXISTS provider (
  provider_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenant (tenant_id),
  user_id              uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  npi                  varchar(10),
  first_name           varchar(100),
  last_name            varchar(100),
  display_name         varchar(255) NOT NULL,
  credentials          varchar(50),
  specialty            varchar(100),
  department           varchar(100),
  location             varchar(255),
  email                varchar(255),
  phone                varchar(50),
  accepts_new_patients boolean NOT NULL DEFAULT true,
  is_active            boolean NOT NULL DEFAULT true,
  created_at           timestamp NOT NULL DEFAULT now(),
  updated_at           timestamp NOT NULL DEFAULT now()
);

-- A provider's recurring weekly working hours (day 0 = Sunday) for a date range.
CREATE TABLE IF NOT EXISTS provider_schedule (
  schedule_id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenant (tenant_id),
  provider_id           uuid NOT NULL REFERENCES provider (provider_id) ON DELETE CASCADE,
  day_of_week           smallint NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
  start_time            time NOT NULL,
  end_time              time NOT NULL,
  slot_duration_minutes integer NOT NULL DEFAULT 15,
  location              varchar(255),
  effective_from        date,
  effective_to          date,
  is_active             boolean NOT NULL DEFAULT true,
  created_at            timestamp NOT NULL DEFAULT now(),
  updated_at            timestamp NOT NULL DEFAULT now()
);

-- A bookable slot of a provider's time (available, held, booked, blocked).
CREATE TABLE IF NOT EXISTS time_slot (
  slot_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenant (tenant_id),
  provider_id uuid NOT NULL REFERENCES provider (provider_id) ON DELETE CASCADE,
  schedule_id uuid REFERENCES provider_schedule (schedule_id) ON DELETE SET NULL,
  start_time  timestamp NOT NULL,
  end_time    timestamp NOT NULL,
  status      varchar(20) NOT NULL DEFAULT 'available',
  held_until  timestamp,
  created_at  timestamp NOT NULL DEFAULT now(),
  updated_at  timestamp NOT NULL DEFAULT now(),
  UNIQUE (provider_id, start_time)
);

-- A change to a provider's usual schedule on some dates (time off, holiday, blocked or extra hours).
CREATE TABLE IF NOT EXISTS schedule_exception (
  exception_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenant (tenant_id),
  provider_id    uuid NOT NULL REFERENCES provider (provider_id) ON DELETE CASCADE,
  exception_type varchar(30) NOT NULL,
  start_at       timestamp NOT NULL,
  end_at         timestamp NOT NULL,
  is_all_day     boolean NOT NULL DEFAULT false,
  reason         text,
  created_by     uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at     timestamp NOT NULL DEFAULT now()
);

-- A patient's visit with a provider, from booking through check-in to completion, cancellation or no-show.
CREATE TABLE IF NOT EXISTS appointment (
  appointment_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id               uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id      uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  provider_id             uuid REFERENCES provider (provider_id) ON DELETE SET NULL,
  slot_id                 uuid REFERENCES time_slot (slot_id) ON DELETE SET NULL,
  external_appointment_id varchar(255),
  appointment_type        varchar(50),
  visit_reason            text,
  location                varchar(255),
  scheduled_start         timestamp NOT NULL,
  scheduled_end           timestamp,
  status                  varchar(20) NOT NULL DEFAULT 'scheduled',
  checked_in_at           timestamp,
  checked_out_at          timestamp,
  cancelled_at            timestamp,
  cancel_reason           text,
  notes                   text,
  created_by              uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at              timestamp NOT NULL DEFAULT now(),
  updated_at              timestamp NOT NULL DEFAULT now()
);

-- A reminder of an appointment sent (or to be sent) to the patient over one channel, and the patient's reply.
CREATE TABLE IF NOT EXISTS appointment_reminder (
  reminder_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL REFERENCES appointment (appointment_id) ON DELETE CASCADE,
  channel        varchar(20) NOT NULL,
  scheduled_for  timestamp NOT NULL,
  status         varchar(20) NOT NULL DEFAULT 'pending',
  sent_at        timestamp,
  response       varchar(50),
  responded_at   timestamp,
  error_message  text,
  created_at     timestamp NOT NULL DEFAULT now(),
  updated_at     timestamp NOT NULL DEFAULT now()
);

-- An intake form sent to a patient (usually before an appointment) and its answers.
CREATE TABLE IF NOT EXISTS intake_form (
  form_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  appointment_id     uuid REFERENCES appointment (appointment_id) ON DELETE CASCADE,
  form_type          varchar(50) NOT NULL,
  status             varchar(20) NOT NULL DEFAULT 'pending',
  form_data          jsonb NOT NULL DEFAULT '{}'::jsonb,
  sent_at            timestamp,
  submitted_at       timestamp,
  reviewed_by        uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  reviewed_at        timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- A check of a patient's insurance eligibility and benefits (usually for an appointment).
-- patient_insurance_id is a patient_insurance row; no foreign key because that table is created later (009).
CREATE TABLE IF NOT EXISTS insurance_verification (
  verification_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id   uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  appointment_id       uuid REFERENCES appointment (appointment_id) ON DELETE SET NULL,
  patient_insurance_id uuid,
  payer_name           varchar(100),
  member_id            varchar(100),
  verification_method  varchar(30),
  status               varchar(20) NOT NULL DEFAULT 'pending',
  is_eligible          boolean,
  coverage_details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  copay_amount         numeric(10,2),
  deductible_remaining numeric(10,2),
  response_json        jsonb,
  verified_by          uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  verified_at          timestamp,
  expires_at           timestamp,
  created_at           timestamp NOT NULL DEFAULT now(),
  updated_at           timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_provider_tenant_id', 'provider', 'tenant_id');
SELECT pg_temp.ensure_index('idx_provider_user_id', 'provider', 'user_id');
SELECT pg_temp.ensure_index('idx_provider_npi', 'provider', 'npi');
SELECT pg_temp.ensure_index('idx_provider_schedule_tenant_id', 'provider_schedule', 'tenant_id');
SELECT pg_temp.ensure_index('idx_provider_schedule_provider_id', 'provider_schedule', 'provider_id', 'day_of_week');
SELECT pg_temp.ensure_index('idx_time_slot_tenant_id', 'time_slot', 'tenant_id');
SELECT pg_temp.ensure_index('idx_time_slot_schedule_id', 'time_slot', 'schedule_id');
SELECT pg_temp.ensure_index('idx_time_slot_status', 'time_slot', 'status', 'start_time');
SELECT pg_temp.ensure_index('idx_schedule_exception_tenant_id', 'schedule_exception', 'tenant_id');
SELECT pg_temp.ensure_index('idx_schedule_exception_provider_id', 'schedule_exception', 'provider_id', 'start_at');
SELECT pg_temp.ensure_index('idx_schedule_exception_created_by', 'schedule_exception', 'created_by');
SELECT pg_temp.ensure_index('idx_appointment_tenant_id', 'appointment', 'tenant_id', 'scheduled_start');
SELECT pg_temp.ensure_index('idx_appointment_patient_context_id', 'appointment', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_appointment_provider_id', 'appointment', 'provider_id', 'scheduled_start');
SELECT pg_temp.ensure_index('idx_appointment_slot_id', 'appointment', 'slot_id');
SELECT pg_temp.ensure_index('idx_appointment_status', 'appointment', 'status');
SELECT pg_temp.ensure_index('idx_appointment_created_by', 'appointment', 'created_by');
SELECT pg_temp.ensure_index('idx_appointment_reminder_appointment_id', 'appointment_reminder', 'appointment_id');
SELECT pg_temp.ensure_index('idx_appointment_reminder_status', 'appointment_reminder', 'status', 'scheduled_for');
SELECT pg_temp.ensure_index('idx_intake_form_tenant_id', 'intake_form', 'tenant_id');
SELECT pg_temp.ensure_index('idx_intake_form_patient_context_id', 'intake_form', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_intake_form_appointment_id', 'intake_form', 'appointment_id');
SELECT pg_temp.ensure_index('idx_intake_form_status', 'intake_form', 'status');
SELECT pg_temp.ensure_index('idx_intake_form_reviewed_by', 'intake_form', 'reviewed_by');
SELECT pg_temp.ensure_index('idx_insurance_verification_tenant_id', 'insurance_verification', 'tenant_id');
SELECT pg_temp.ensure_index('idx_insurance_verification_patient_context_id', 'insurance_verification', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_insurance_verification_appointment_id', 'insurance_verification', 'appointment_id');
SELECT pg_temp.ensure_index('idx_insurance_verification_patient_insurance_id', 'insurance_verification', 'patient_insurance_id');
SELECT pg_temp.ensure_index('idx_insurance_verification_status', 'insurance_verification', 'status');
SELECT pg_temp.ensure_index('idx_insurance_verification_verified_by', 'insurance_verification', 'verified_by');
