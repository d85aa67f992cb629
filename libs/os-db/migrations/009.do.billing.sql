-- os database, migration 009: Billing: patient insurance, claims, charges, statements, payments and claim denials (money is numeric(10,2)).
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

-- A patient's insurance coverage (payer, plan, member id, dates); coverage_rank 1 = primary, 2 = secondary, ...
CREATE TABLE IF NOT EXISTS patient_insurance (
  patient_insurance_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id               uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id      uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  coverage_rank           smallint NOT NULL DEFAULT 1,
  payer_name              varchar(100) NOT NULL,
  payer_id                varchar(50),
  plan_name               varchar(255),
  program                 varchar(100),
  state                   varchar(2),
  member_id               varchar(100),
  group_number            varchar(100),
  subscriber_name         varchar(255),
  subscriber_relationship varchar(30),
  effective_date          date,
  termination_date        date,
  copay_amount            numeric(10,2),
  deductible_amount       numeric(10,2),
  is_active               boolean NOT NULL DEFAULT true,
  last_verified_at        timestamp,
  created_at              timestamp NOT NULL DEFAULT now(),
  updated_at              timestamp NOT NULL DEFAULT now()
);

-- A claim billed to a payer for a patient's services, with its amounts and lifecycle status.
CREATE TABLE IF NOT EXISTS claim (
  claim_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id     uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  appointment_id         uuid REFERENCES appointment (appointment_id) ON DELETE SET NULL,
  patient_insurance_id   uuid REFERENCES patient_insurance (patient_insurance_id) ON DELETE SET NULL,
  provider_id            uuid REFERENCES provider (provider_id) ON DELETE SET NULL,
  claim_number           varchar(50),
  payer_claim_id         varchar(100),
  claim_type             varchar(20) NOT NULL DEFAULT 'professional',
  status                 varchar(20) NOT NULL DEFAULT 'draft',
  service_date_from      date,
  service_date_to        date,
  total_charge           numeric(10,2) NOT NULL DEFAULT 0,
  allowed_amount         numeric(10,2),
  paid_amount            numeric(10,2) NOT NULL DEFAULT 0,
  adjustment_amount      numeric(10,2) NOT NULL DEFAULT 0,
  patient_responsibility numeric(10,2) NOT NULL DEFAULT 0,
  submitted_at           timestamp,
  adjudicated_at         timestamp,
  created_by             uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at             timestamp NOT NULL DEFAULT now(),
  updated_at             timestamp NOT NULL DEFAULT now()
);

-- A billable service line (CPT code, units, amount), attached to a claim once billed.
CREATE TABLE IF NOT EXISTS charge (
  charge_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  claim_id           uuid REFERENCES claim (claim_id) ON DELETE SET NULL,
  appointment_id     uuid REFERENCES appointment (appointment_id) ON DELETE SET NULL,
  order_id           uuid REFERENCES clinical_order (order_id) ON DELETE SET NULL,
  service_date       date NOT NULL,
  cpt_code           varchar(10) NOT NULL,
  modifiers          jsonb NOT NULL DEFAULT '[]'::jsonb,
  diagnosis_codes    jsonb NOT NULL DEFAULT '[]'::jsonb,
  units              integer NOT NULL DEFAULT 1,
  unit_price         numeric(10,2) NOT NULL DEFAULT 0,
  amount             numeric(10,2) NOT NULL DEFAULT 0,
  status             varchar(20) NOT NULL DEFAULT 'pending',
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- A bill sent to a patient for their balance over a period.
CREATE TABLE IF NOT EXISTS patient_statement (
  statement_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  statement_number   varchar(50),
  statement_date     date NOT NULL DEFAULT CURRENT_DATE,
  due_date           date,
  period_start       date,
  period_end         date,
  previous_balance   numeric(10,2) NOT NULL DEFAULT 0,
  new_charges        numeric(10,2) NOT NULL DEFAULT 0,
  payments_received  numeric(10,2) NOT NULL DEFAULT 0,
  adjustments        numeric(10,2) NOT NULL DEFAULT 0,
  amount_due         numeric(10,2) NOT NULL DEFAULT 0,
  line_items         jsonb NOT NULL DEFAULT '[]'::jsonb,
  status             varchar(20) NOT NULL DEFAULT 'draft',
  delivery_method    varchar(20),
  sent_at            timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- Money received from a payer or a patient, applied to a claim or a statement.
CREATE TABLE IF NOT EXISTS payment (
  payment_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  claim_id           uuid REFERENCES claim (claim_id) ON DELETE SET NULL,
  statement_id       uuid REFERENCES patient_statement (statement_id) ON DELETE SET NULL,
  payer_type         varchar(20) NOT NULL DEFAULT 'insurance',
  payment_method     varchar(20),
  amount             numeric(10,2) NOT NULL,
  payment_date       date NOT NULL DEFAULT CURRENT_DATE,
  reference_number   varchar(100),
  status             varchar(20) NOT NULL DEFAULT 'posted',
  posted_by          uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  posted_at          timestamp,
  notes              text,
  created_at         timestamp NOT NULL DEFAULT now()
);

-- A payer's denial of a claim (reason codes, denied amount) and its rework or appeal.
CREATE TABLE IF NOT EXISTS claim_denial (
  denial_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenant (tenant_id),
  claim_id         uuid NOT NULL REFERENCES claim (claim_id) ON DELETE CASCADE,
  denial_code      varchar(20) NOT NULL,
  remark_codes     jsonb NOT NULL DEFAULT '[]'::jsonb,
  denial_reason    text,
  category         varchar(50),
  denied_amount    numeric(10,2) NOT NULL DEFAULT 0,
  denied_at        date,
  status           varchar(20) NOT NULL DEFAULT 'open',
  appeal_deadline  date,
  assigned_to      uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  resolution_notes text,
  resolved_at      timestamp,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_patient_insurance_tenant_id', 'patient_insurance', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_insurance_patient_context_id', 'patient_insurance', 'patient_context_id', 'coverage_rank');
SELECT pg_temp.ensure_index('idx_patient_insurance_member_id', 'patient_insurance', 'payer_name', 'member_id');
SELECT pg_temp.ensure_index('idx_claim_tenant_id', 'claim', 'tenant_id');
SELECT pg_temp.ensure_index('idx_claim_patient_context_id', 'claim', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_claim_appointment_id', 'claim', 'appointment_id');
SELECT pg_temp.ensure_index('idx_claim_patient_insurance_id', 'claim', 'patient_insurance_id');
SELECT pg_temp.ensure_index('idx_claim_provider_id', 'claim', 'provider_id');
SELECT pg_temp.ensure_index('idx_claim_status', 'claim', 'status');
SELECT pg_temp.ensure_index('idx_claim_claim_number', 'claim', 'claim_number');
SELECT pg_temp.ensure_index('idx_claim_created_by', 'claim', 'created_by');
SELECT pg_temp.ensure_index('idx_charge_tenant_id', 'charge', 'tenant_id');
SELECT pg_temp.ensure_index('idx_charge_patient_context_id', 'charge', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_charge_claim_id', 'charge', 'claim_id');
SELECT pg_temp.ensure_index('idx_charge_appointment_id', 'charge', 'appointment_id');
SELECT pg_temp.ensure_index('idx_charge_order_id', 'charge', 'order_id');
SELECT pg_temp.ensure_index('idx_charge_status', 'charge', 'status');
SELECT pg_temp.ensure_index('idx_patient_statement_tenant_id', 'patient_statement', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_statement_patient_context_id', 'patient_statement', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_patient_statement_status', 'patient_statement', 'status');
SELECT pg_temp.ensure_index('idx_payment_tenant_id', 'payment', 'tenant_id');
SELECT pg_temp.ensure_index('idx_payment_patient_context_id', 'payment', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_payment_claim_id', 'payment', 'claim_id');
SELECT pg_temp.ensure_index('idx_payment_statement_id', 'payment', 'statement_id');
SELECT pg_temp.ensure_index('idx_payment_status', 'payment', 'status');
SELECT pg_temp.ensure_index('idx_payment_posted_by', 'payment', 'posted_by');
SELECT pg_temp.ensure_index('idx_claim_denial_tenant_id', 'claim_denial', 'tenant_id');
SELECT pg_temp.ensure_index('idx_claim_denial_claim_id', 'claim_denial', 'claim_id');
SELECT pg_temp.ensure_index('idx_claim_denial_status', 'claim_denial', 'status');
SELECT pg_temp.ensure_index('idx_claim_denial_assigned_to', 'claim_denial', 'assigned_to');
