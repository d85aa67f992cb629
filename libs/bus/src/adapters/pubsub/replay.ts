import type { protos, v1 } from '@google-cloud/pubsub';
import { BusConfigError, BusUnavailableError, ReplayUnsupportedError, errorMessage } from '../../errors.ts';
import type { SnapshotInfo, SnapshotOperations } from '../../extensions.ts';
import type { ReplayFrom } from '../../types.ts';
import { ORIGIN_SNAPSHOT, type PubSubNames } from './names.ts';
import { GRPC, grpcCode } from './provision.ts';

type SeekRequest = protos.google.pubsub.v1.ISeekRequest;

/**
 * The Seek request that replays `subscription` from `from` (pure, so the request itself is tested):
 * - time: seek to that time (messages published from then on are delivered again; needs retained
 *   acked messages, or topic retention);
 * - beginning: on the cloud a seek to the epoch (everything retained, up to the retention period);
 *   where time seeks are missing (`timeSeek` false: the emulator), a seek to the `mobius-origin`
 *   snapshot taken when the bus created the subscription;
 * - sequence: Pub/Sub has no sequence numbers: ReplayUnsupportedError.
 */
export function seekRequest(names: PubSubNames, subscription: string, from: ReplayFrom, timeSeek: boolean): SeekRequest {
  const path = names.subscription(subscription);
  switch (from.kind) {
    case 'sequence':
      throw new ReplayUnsupportedError('Pub/Sub has no message sequence numbers: replay from a time, a snapshot or the beginning');
    case 'beginning':
      return timeSeek
        ? { subscription: path, time: { seconds: 0, nanos: 0 } }
        : { subscription: path, snapshot: names.snapshot(subscription, ORIGIN_SNAPSHOT) };
    case 'time': {
      const ms = from.time.getTime();
      return { subscription: path, time: { seconds: Math.floor(ms / 1_000), nanos: (((ms % 1_000) + 1_000) % 1_000) * 1_000_000 } };
    }
  }
}

/** Sends a Seek, naming what went wrong: a time seek the emulator lacks, a snapshot that does not exist. */
export async function seek(client: v1.SubscriberClient, request: SeekRequest): Promise<void> {
  try {
    await client.seek(request);
  } catch (error) {
    const code = grpcCode(error);
    if (code === GRPC.UNIMPLEMENTED) {
      throw new ReplayUnsupportedError(
        'this Pub/Sub server does not implement seek to a time (the emulator answers UNIMPLEMENTED): replay from snapshot:NAME or beginning',
        { cause: error },
      );
    }
    const target = request.snapshot ? `snapshot ${request.snapshot}` : `subscription ${request.subscription}`;
    if (code === GRPC.NOT_FOUND) throw new BusConfigError(`cannot seek: ${target} does not exist`, { cause: error });
    throw new BusUnavailableError(`seek of ${request.subscription} failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** Pub/Sub snapshots of the bus's subscriptions, named `${prefix}${subscription}~${name}`. */
export class PubSubSnapshots implements SnapshotOperations {
  readonly #client: v1.SubscriberClient;
  readonly #names: PubSubNames;
  /** Makes sure the subscription exists before a snapshot of it is taken. */
  readonly #ensure: (topic: string, subscription: string) => Promise<void>;

  constructor(client: v1.SubscriberClient, names: PubSubNames, ensure: (topic: string, subscription: string) => Promise<void>) {
    this.#client = client;
    this.#names = names;
    this.#ensure = ensure;
  }

  async create(topic: string, subscription: string, name: string): Promise<SnapshotInfo> {
    const path = this.#names.snapshot(subscription, name);
    await this.#ensure(topic, subscription);
    try {
      const [snapshot] = await this.#client.createSnapshot({ name: path, subscription: this.#names.subscription(subscription) });
      return { name, subscription, expiresAt: toDate(snapshot.expireTime) };
    } catch (error) {
      if (grpcCode(error) === GRPC.ALREADY_EXISTS) throw new BusConfigError(`snapshot ${name} of ${subscription} already exists`, { cause: error });
      throw new BusUnavailableError(`cannot create snapshot ${path}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async list(topic: string, subscription: string): Promise<SnapshotInfo[]> {
    const topicPath = this.#names.topic(topic);
    let snapshots: protos.google.pubsub.v1.ISnapshot[];
    try {
      [snapshots] = await this.#client.listSnapshots({ project: this.#names.projectPath });
    } catch (error) {
      throw new BusUnavailableError(`cannot list snapshots: ${errorMessage(error)}`, { cause: error });
    }
    const found: SnapshotInfo[] = [];
    for (const snapshot of snapshots) {
      const name = this.#names.snapshotNameOf(subscription, snapshot.name ?? '');
      if (name !== undefined && snapshot.topic === topicPath) found.push({ name, subscription, expiresAt: toDate(snapshot.expireTime) });
    }
    return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async seek(_topic: string, subscription: string, name: string): Promise<void> {
    await seek(this.#client, { subscription: this.#names.subscription(subscription), snapshot: this.#names.snapshot(subscription, name) });
  }
}

function toDate(time: protos.google.protobuf.ITimestamp | null | undefined): Date | undefined {
  if (!time?.seconds) return undefined;
  return new Date(Number(time.seconds) * 1_000 + Math.floor((time.nanos ?? 0) / 1_000_000));
}
