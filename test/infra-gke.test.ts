import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { SHUTDOWN_DEADLINE_MS } from '@mobius/service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLOUD_SERVICES, checkServiceEnv } from './support/service-env.ts';
import { loadUserServiceConfig } from '../services/user/src/config.ts';
import { attribute, renderName, resource, terraformVars, variableDefault } from './support/terraform.ts';

// The GKE manifests (delivery = "pull"), rendered as infra/README.md says (envsubst with the listed
// variables), then read as kubectl reads YAML (1.1: an unquoted `off` would be a boolean).
const GKE_DIR = 'infra/gke';
const SAMPLES: Record<string, string> = {
  PROJECT_ID: 'mobius-prod',
  REGION: 'us-central1',
  IMAGE: 'us-central1-docker.pkg.dev/mobius-prod/mobius/mobius:1.0.0',
  CLOUD_SQL_INSTANCE: 'mobius-prod:us-central1:mobius',
  GKE_CLUSTER: 'mobius',
  GKE_LOCATION: 'us-central1',
  BQ_LOCATION: 'US',
  TOPIC_PREFIX: '',
  VERTEX_INDEX_ID: '4513318843424145408',
  VERTEX_INDEX_ENDPOINT_ID: '2201227424591200256',
  AUTH_ALLOWED_EMAILS: 'ops@example.com',
  AUTH_ALLOWED_ROLES: '',
  GOOGLE_CLIENT_ID: 'web-client.apps.googleusercontent.com',
  MOBIUS_USER_ADMIN_EMAILS: 'ops@example.com',
  MOBIUS_SET_PASSWORD_URL_BASE: 'https://app.example.com/set-password',
};
const vars = terraformVars();
const namespace = String(variableDefault('gke_namespace'));

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, unknown>;
  spec?: any;
}

function render(text: string): string {
  return text.replace(/\$\{(\w+)\}/g, (match, name: string) => SAMPLES[name] ?? match);
}

function objectsOf(file: string): K8sObject[] {
  const documents = parseAllDocuments(render(readFileSync(`${GKE_DIR}/${file}`, 'utf8')), { version: '1.1' });
  for (const doc of documents) expect(doc.errors, file).toEqual([]);
  return documents.map((doc) => doc.toJS() as K8sObject);
}

function one(objects: K8sObject[], kind: string, service: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.length, `${service}: one ${kind}`).toBe(1);
  return found[0]!;
}

/** A service's manifests, its main container and its environment as the pod gets it (secrets filled in). */
function manifests(service: string) {
  const objects = objectsOf(`${service}.yaml`);
  const deployment = one(objects, 'Deployment', service);
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c: { name: string }) => c.name === service);
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
  const externalSecrets = objects.filter((o) => o.kind === 'ExternalSecret');
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = configMaps.find((c) => c.metadata.name === source.configMapRef?.name);
    expect(map, `${service}: ConfigMap ${source.configMapRef?.name}`).toBeDefined();
    for (const [key, value] of Object.entries(map!.data ?? {})) {
      expect(typeof value, `${service}: ConfigMap value ${key} must be a string`).toBe('string');
      env[key] = value as string;
    }
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    expect(ref, `${service}: ${entry.name} comes from a Secret`).toBeDefined();
    const external = externalSecrets.find((e) => e.spec.target.name === ref.name);
    expect(
      external?.spec.data.map((d: { secretKey: string }) => d.secretKey),
      `${service}: ${entry.name}`,
    ).toContain(ref.key);
    env[entry.name] = entry.name.endsWith('DATABASE_URL')
      ? `postgresql://mobius:secret@localhost/mobius_db?host=/cloudsql/${SAMPLES.CLOUD_SQL_INSTANCE}`
      : 'a-secret-value-as-long-as-a-real-one-32+'; // MOBIUS_SERVICE_TOKEN takes at least 32 characters
  }
  return { objects, deployment, pod, container, env };
}

describe('infra/gke', () => {
  it('has one manifest per cloud service, and uses only the placeholders the README renders', () => {
    const files = readdirSync(GKE_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['namespace.yaml', ...CLOUD_SERVICES.map((s) => `${s}.yaml`)].sort());
    const used = new Set(files.flatMap((f) => [...readFileSync(`${GKE_DIR}/${f}`, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)));
    const documented = /envsubst '([^']+)'/
      .exec(readFileSync('infra/README.md', 'utf8'))?.[1]
      ?.split(/\s+/)
      .map((v) => v.slice(2, -1));
    expect(new Set(documented)).toEqual(used);
    expect(new Set(Object.keys(SAMPLES))).toEqual(used);
    const readmeFiles = /for f in ([^;]+); do/.exec(readFileSync('infra/README.md', 'utf8'))?.[1]?.split(/\s+/);
    expect(new Set(readmeFiles)).toEqual(new Set(files));
    for (const file of files) expect(render(readFileSync(`${GKE_DIR}/${file}`, 'utf8')), file).not.toContain('${');
  });

  it('puts everything in the namespace Terraform binds Workload Identity in', () => {
    expect(objectsOf('namespace.yaml')).toEqual([
      expect.objectContaining({ kind: 'Namespace', metadata: expect.objectContaining({ name: namespace }) }),
    ]);
    for (const service of CLOUD_SERVICES) {
      for (const object of objectsOf(`${service}.yaml`)) expect(object.metadata.namespace, `${service} ${object.kind}`).toBe(namespace);
    }
  });

  it("runs each Deployment as the Kubernetes service account Workload Identity maps onto the service's Google account", () => {
    const accountId = attribute(resource('google_service_account', 'service'), 'account_id');
    const member = attribute(resource('google_service_account_iam_member', 'workload_identity'), 'member');
    for (const service of CLOUD_SERVICES) {
      const { objects, pod } = manifests(service);
      const ksa = one(objects, 'ServiceAccount', service);
      expect(pod.serviceAccountName, service).toBe(ksa.metadata.name);
      const gsa = `${renderName(accountId, { 'each.key': service })}@${SAMPLES.PROJECT_ID}.iam.gserviceaccount.com`;
      expect(ksa.metadata.annotations?.['iam.gke.io/gcp-service-account'], service).toBe(gsa);
      const bound = renderName(member, { 'var.project_id': SAMPLES.PROJECT_ID!, 'var.gke_namespace': namespace, 'each.key': service });
      expect(bound, service).toBe(`serviceAccount:${SAMPLES.PROJECT_ID}.svc.id.goog[${namespace}/${ksa.metadata.name}]`);
    }
  });

  it('runs `mobius start <service>` in pull mode with an environment its config accepts, as on Cloud Run', () => {
    for (const service of CLOUD_SERVICES) {
      const { container, env } = manifests(service);
      expect(container.image, service).toBe(SAMPLES.IMAGE);
      expect(container.args, service).toEqual(['node', 'bin/mobius.js', 'start', service]);
      const checked = checkServiceEnv(service, env);
      expect(container.ports, service).toEqual([{ name: 'http', containerPort: checked.port }]);
      if (checked.bus) expect(checked.bus, service).toMatchObject({ kind: 'pubsub', pubsub: { mode: 'pull', provision: 'off' } });
      // The same settings as the Cloud Run service, but pull instead of push, and PORT set here.
      const cloudRun = Object.keys(vars.services[service]!.cloud_run.env).filter((k) => !k.startsWith('PUSH_'));
      const secrets = Object.keys(vars.services[service]!.secrets);
      expect(new Set(Object.keys(env)), service).toEqual(new Set([...cloudRun, ...secrets, 'PORT', ...(checked.bus ? ['BUS_MODE'] : [])]));
    }
  });

  it('names the same datasets, deployed index and Cloud SQL socket as Terraform', () => {
    for (const service of CLOUD_SERVICES) {
      const { env, pod } = manifests(service);
      if (env.BQ_DATASET) expect(env.BQ_DATASET, service).toBe(variableDefault('bq_dataset'));
      if (env.BQ_LANDING_DATASET) expect(env.BQ_LANDING_DATASET, service).toBe(variableDefault('bq_landing_dataset'));
      if (env.VERTEX_DEPLOYED_INDEX_ID) expect(env.VERTEX_DEPLOYED_INDEX_ID, service).toBe(variableDefault('vertex_deployed_index_id'));
      if (env.POSTGRES_HOST) expect(env.POSTGRES_HOST, service).toBe(`/cloudsql/${SAMPLES.CLOUD_SQL_INSTANCE}`);
      const proxy = (pod.initContainers ?? []).find((c: { name: string }) => c.name === 'cloud-sql-proxy');
      expect(Boolean(proxy), `${service}: Cloud SQL proxy <=> Terraform's cloud_sql`).toBe(vars.services[service]!.cloud_sql);
      if (proxy) {
        expect(proxy.restartPolicy, `${service}: the proxy is a native sidecar`).toBe('Always');
        expect(proxy.args, service).toEqual(expect.arrayContaining(['--unix-socket=/cloudsql', SAMPLES.CLOUD_SQL_INSTANCE]));
      }
    }
  });

  it("reads each service's secrets, and only those, from Secret Manager as that service", () => {
    for (const service of CLOUD_SERVICES) {
      const { objects } = manifests(service);
      const expected = vars.services[service]!.secrets;
      const externals = objects.filter((o) => o.kind === 'ExternalSecret');
      if (Object.keys(expected).length === 0) {
        expect(externals, service).toEqual([]);
        continue;
      }
      const external = one(objects, 'ExternalSecret', service);
      const mapped = Object.fromEntries(
        external.spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key]),
      );
      expect(mapped, service).toEqual(expected);
      const store = objects.find((o) => o.kind === 'SecretStore' && o.metadata.name === external.spec.secretStoreRef.name);
      expect(store?.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name, service).toBe(
        one(objects, 'ServiceAccount', service).metadata.name,
      );
      expect(store?.spec.provider.gcpsm.projectID, service).toBe(SAMPLES.PROJECT_ID);
    }
  });

  it('probes /healthz for liveness and /readyz for readiness, and gives the drain its time before SIGKILL', () => {
    for (const service of CLOUD_SERVICES) {
      const { pod, container } = manifests(service);
      expect(container.livenessProbe?.httpGet, service).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe?.httpGet, service).toEqual({ path: '/readyz', port: 'http' });
      expect(container.startupProbe?.httpGet, service).toEqual({ path: '/healthz', port: 'http' });
      const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
      const preStopSeconds = preStop ? Number(preStop[preStop.indexOf('sleep') + 1]) : 0;
      expect(pod.terminationGracePeriodSeconds * 1000, service).toBeGreaterThan(SHUTDOWN_DEADLINE_MS + preStopSeconds * 1000);
      expect(container.resources?.requests?.cpu, service).toBeDefined();
      expect(container.resources?.requests?.memory, service).toBeDefined();
      expect(container.resources?.limits?.memory, service).toBeDefined();
    }
  });

  it('runs as a non-root user on a read-only root filesystem, with /tmp writable', () => {
    for (const service of CLOUD_SERVICES) {
      const { pod, container } = manifests(service);
      expect(pod.securityContext?.runAsNonRoot, service).toBe(true);
      expect(container.securityContext, service).toMatchObject({ runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      const tmp = container.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === '/tmp');
      expect(pod.volumes?.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir, service).toBeDefined();
    }
  });

  it('scales each Deployment with an HPA and keeps it available with a PodDisruptionBudget', () => {
    for (const service of CLOUD_SERVICES) {
      const { objects, deployment } = manifests(service);
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      expect(deployment.spec.replicas, `${service}: the HPA owns the replica count`).toBeUndefined();
      expect(
        Object.entries(deployment.spec.selector.matchLabels).every(([k, v]) => labels[k] === v),
        service,
      ).toBe(true);
      const hpa = one(objects, 'HorizontalPodAutoscaler', service);
      expect(hpa.apiVersion, service).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef, service).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(hpa.spec.minReplicas, service).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas, service).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      const pdb = one(objects, 'PodDisruptionBudget', service);
      expect(
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => labels[k] === v),
        service,
      ).toBe(true);
      const allowedDown = pdb.spec.maxUnavailable ?? hpa.spec.minReplicas - pdb.spec.minAvailable;
      expect(allowedDown, `${service}: a drain can evict a pod, and one stays up`).toBeGreaterThanOrEqual(1);
      expect(allowedDown, service).toBeLessThan(hpa.spec.minReplicas);
      const svc = one(objects, 'Service', service);
      expect(
        Object.entries(svc.spec.selector).every(([k, v]) => labels[k] === v),
        service,
      ).toBe(true);
      expect(
        svc.spec.ports.map((p: { targetPort: string }) => p.targetPort),
        service,
      ).toEqual(['http']);
    }
  });

  it("gives the user service Google sign-in, the directory's admins and the set-password page as settings, and its internal key as a secret", () => {
    const { env, objects } = manifests('user');
    const config = loadUserServiceConfig(env);
    expect(config.google?.clientId).toBe(SAMPLES.GOOGLE_CLIENT_ID);
    expect(config.directoryAccess.internalKey).toBe('a-secret-value-as-long-as-a-real-one-32+');
    expect(config.directoryAccess.adminEmails).toEqual(new Set(['ops@example.com']));
    expect(config.mail.setPasswordUrlBase).toBe(SAMPLES.MOBIUS_SET_PASSWORD_URL_BASE);
    const external = objects.find((o) => o.kind === 'ExternalSecret')!;
    expect(external.spec.data).toContainEqual({
      secretKey: 'MOBIUS_USER_INTERNAL_KEY',
      remoteRef: { key: vars.services.user!.secrets.MOBIUS_USER_INTERNAL_KEY },
    });
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(configMap.data).not.toHaveProperty('MOBIUS_USER_INTERNAL_KEY');
  });

  it('leaves the local vector index server out of the cloud', () => {
    expect(existsSync(`${GKE_DIR}/vector-index.yaml`)).toBe(false);
    expect(vars.services).not.toHaveProperty(['vector-index']);
  });
});
