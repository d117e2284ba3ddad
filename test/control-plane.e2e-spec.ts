/**
 * The control plane across a cluster: three in-process socket nodes share the real Redis (stores,
 * Socket.IO adapter and the microservices Redis transport), a separate business service commands them
 * through `ReliableControlClient`, and real SDK clients are spread over the nodes. Every request reaches
 * all three nodes; the tests check that each command takes effect wherever the sockets are, runs once,
 * and is answered completely, and that bad commands get clear error replies.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, timeout } from 'rxjs';
import { StreamName } from '@reliable-socket/client/protocol';
import { MemoryStorage, ReliableClient } from '@reliable-socket/client';
import { PresenceService, ReliableControlError } from '@reliable-socket/nestjs';
import { NamespaceRegistry } from '../libs/reliable-socket/src/io/namespace.registry.js';
import { streamRoom } from '../libs/reliable-socket/src/reliable-socket.constants.js';
import { CONTROL_NAMESPACE, RecordingCampaigns, startBusinessService, startControlNode, type BusinessService, type ControlNode } from './fixtures/control.nodes.js';
import { TEST_CLIENT_OPTIONS } from './fixtures/chat.fixtures.js';
import { deleteKeysWithPrefix, redisUrl, testKeyPrefix } from './support/redis-prefix.js';
import { sleep, waitFor } from './support/wait.js';

const NS = CONTROL_NAMESPACE;
/** Long enough for a message that should not come to have arrived, were it on its way (local Redis, in-process nodes). */
const SETTLE_MS = 300;

/** One SDK client (a device of `user`) and everything it was handed. */
interface Device {
  user: string;
  client: ReliableClient;
  /** Reliable messages, by event. */
  reliable: Map<string, unknown[]>;
  /** Plain Socket.IO events (unreliable broadcasts), by event. */
  live: Map<string, unknown[]>;
  kicked: string[];
}

const RELIABLE_EVENTS = ['notice', 'sentinel', 'room-notice'];
const LIVE_EVENTS = ['flash', 'flash-end'];

const push = (map: Map<string, unknown[]>, event: string, data: unknown): void => {
  map.set(event, [...(map.get(event) ?? []), data]);
};
const countOf = (map: Map<string, unknown[]>, event: string): number => map.get(event)?.length ?? 0;

describe('control plane on three nodes (redis)', () => {
  const keyPrefix = testKeyPrefix('control-e2e');
  // Redis pub/sub channels have no prefix option in the transport: unique patterns keep concurrent suites apart.
  const patternPrefix = `rs-test-control-${randomBytes(4).toString('hex')}`;
  const campaigns = new RecordingCampaigns();
  let nodes: ControlNode[] = [];
  let business: BusinessService;
  let devices: Device[] = [];
  let deviceCount = 0;

  const control = () => business.control;
  const presenceCount = () => nodes[0].app.get(PresenceService).count(NS);
  const liveRoomSockets = (room: string) => nodes[0].app.get(NamespaceRegistry).get(NS).in(streamRoom(StreamName.room(room))).fetchSockets();

  /** A device of `user` connected to node `index`, recording what it receives. */
  async function connect(user: string, index: number): Promise<Device> {
    deviceCount += 1;
    const client = new ReliableClient(`${nodes[index].url}${NS}`, { ...TEST_CLIENT_OPTIONS, storage: new MemoryStorage(), storageKey: `device-${deviceCount}`, auth: { user } });
    const device: Device = { user, client, reliable: new Map(), live: new Map(), kicked: [] };
    devices.push(device);
    for (const event of RELIABLE_EVENTS) client.on(event, (data) => push(device.reliable, event, data));
    for (const event of LIVE_EVENTS) client.socket.on(event, (data: unknown) => push(device.live, event, data));
    client.lifecycle.on('kicked', ({ reason }) => device.kicked.push(reason));
    await waitFor(() => client.connected, { timeoutMs: 10_000, message: `${user} connected to node ${index}` });
    return device;
  }

  /** Waits until every device has handled `count` reliable `event` messages. */
  const received = (targets: Device[], event: string, count = 1) =>
    waitFor(() => targets.every((device) => countOf(device.reliable, event) >= count), {
      timeoutMs: 10_000,
      message: () => `${event} ×${count} on ${targets.map((device) => `${device.user}: ${countOf(device.reliable, event)}`).join(', ')}`,
    });

  /**
   * Sends a reliable `sentinel` to the users and waits for it on their devices: a user stream is
   * delivered in order, so whatever was stored for them before it has been handled by then.
   */
  async function flushUsers(targets: Device[]): Promise<void> {
    const before = new Map(targets.map((device) => [device, countOf(device.reliable, 'sentinel')]));
    await control().broadcast({ namespace: NS, event: 'sentinel', data: null, users: [...new Set(targets.map((device) => device.user))] });
    await waitFor(() => targets.every((device) => countOf(device.reliable, 'sentinel') > before.get(device)!), { timeoutMs: 10_000, message: 'sentinel delivered' });
  }

  async function rejection(promise: Promise<unknown>): Promise<ReliableControlError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ReliableControlError);
    return error as ReliableControlError;
  }

  beforeAll(async () => {
    nodes = await Promise.all([0, 1, 2].map(() => startControlNode({ redisUrl: redisUrl(), keyPrefix, patternPrefix, campaigns })));
    business = await startBusinessService(redisUrl(), patternPrefix);
  });

  afterEach(async () => {
    await Promise.all(devices.map((device) => device.client.close()));
    devices = [];
    await waitFor(async () => (await presenceCount()).connections === 0, { timeoutMs: 5_000, message: 'every device gone from presence' });
  });

  afterAll(async () => {
    await business?.moduleRef.close();
    await Promise.all(nodes.map((node) => node.app.close()));
    await deleteKeysWithPrefix(redisUrl(), keyPrefix);
  });

  it('broadcast (reliable) to users reaches every device of each user once, on any node, and a retry with the same requestId runs nothing again', async () => {
    const ann = [await connect('ann', 0), await connect('ann', 1)];
    const ben = await connect('ben', 2);
    const requestId = randomUUID();

    const reply = await control().broadcast({ namespace: NS, event: 'notice', data: { text: 'maintenance at 22:00' }, users: ['ann', 'ben'] }, { requestId });

    // Offset 1 in each stream: one append, although all three nodes received the command.
    expect(reply).toEqual({ recipients: 2, offsets: { 'user:ann': 1, 'user:ben': 1 } });
    expect(await control().broadcast({ namespace: NS, event: 'notice', data: { text: 'maintenance at 22:00' }, users: ['ann', 'ben'] }, { requestId })).toEqual(reply);
    await flushUsers([...ann, ben]);
    for (const device of [...ann, ben]) {
      expect(device.reliable.get('notice')).toEqual([{ text: 'maintenance at 22:00' }]);
    }
    // The sentinel came right after: nothing else was stored in between, by any node.
    expect((await control().broadcast({ namespace: NS, event: 'sentinel', data: null, users: ['ann'] })).offsets).toEqual({ 'user:ann': 3 });
  });

  it('broadcast (reliable) to a room reaches its members on every node once; without users or rooms it reaches every online user', async () => {
    const cat = await connect('cat', 0);
    const dan = await connect('dan', 1);
    const eve = await connect('eve', 2);
    await nodes[2].emitter.of(NS).join('cat', 'lobby');
    await nodes[0].emitter.of(NS).join('dan', 'lobby');

    expect(await control().broadcast({ namespace: NS, event: 'room-notice', data: 'lobby closes soon', rooms: ['lobby'] })).toEqual({ recipients: 1, offsets: { 'room:lobby': 1 } });
    await waitFor(async () => (await presenceCount()).users === 3, { message: 'cat, dan and eve online' });
    expect(await control().broadcast({ namespace: NS, event: 'notice', data: 'everyone' })).toEqual({ recipients: 3 });

    await received([cat, dan], 'room-notice');
    await flushUsers([cat, dan, eve]);
    await sleep(SETTLE_MS);
    expect([cat, dan, eve].map((device) => countOf(device.reliable, 'room-notice'))).toEqual([1, 1, 0]);
    expect([cat, dan, eve].map((device) => device.reliable.get('notice'))).toEqual([['everyone'], ['everyone'], ['everyone']]);
  });

  it('broadcast with reliable: false reaches the sockets connected now on every node, once each', async () => {
    const fay = [await connect('fay', 0), await connect('fay', 1), await connect('fay', 2)];
    const gus = await connect('gus', 1);

    expect(await control().broadcast({ namespace: NS, event: 'flash', data: 'to fay', users: ['fay'], reliable: false })).toEqual({ recipients: 3 });
    await waitFor(async () => (await presenceCount()).connections === 4, { message: 'the 4 connections in presence' });
    expect(await control().broadcast({ namespace: NS, event: 'flash', data: 'to all', reliable: false })).toEqual({ recipients: 4 });
    // Plain emits of one node reach a socket in order: the end marker comes after any duplicate would have.
    await control().broadcast({ namespace: NS, event: 'flash-end', data: null, users: ['fay', 'gus'], reliable: false });
    await waitFor(() => [...fay, gus].every((device) => countOf(device.live, 'flash-end') === 1), { message: 'flash-end on every device' });

    for (const device of fay) expect(device.live.get('flash')).toEqual(['to fay', 'to all']);
    expect(gus.live.get('flash')).toEqual(['to all']);
    expect([...fay, gus].every((device) => device.reliable.size === 0)).toBe(true); // nothing was stored
  });

  it('disconnect kicks every connection of the user on every node with `kicked`; the SDK stays disconnected, other users stay', async () => {
    const hal = [await connect('hal', 0), await connect('hal', 1), await connect('hal', 2)];
    const ian = await connect('ian', 0);

    expect(await control().disconnect({ namespace: NS, userId: 'hal', reason: 'BANNED' })).toEqual({ disconnected: 3 });

    await waitFor(() => hal.every((device) => device.kicked.length === 1 && !device.client.connected), { message: 'hal kicked everywhere' });
    expect(hal.map((device) => device.kicked)).toEqual([['BANNED'], ['BANNED'], ['BANNED']]);
    await sleep(TEST_CLIENT_OPTIONS.reconnect!.maxMs! * 2); // past any reconnect delay the SDK would use
    expect(hal.map((device) => [device.client.connected, device.client.state])).toEqual([
      [false, 'kicked'],
      [false, 'kicked'],
      [false, 'kicked'],
    ]);
    expect(ian.client.connected).toBe(true);
    expect(ian.kicked).toEqual([]);
    await waitFor(async () => !(await control().presence({ namespace: NS, query: 'isOnline', userId: 'hal' })).online, { message: 'hal offline' });
    expect(await control().disconnect({ namespace: NS, userId: 'hal' })).toEqual({ disconnected: 0 });
  });

  it('removeFromRoom takes the user out of the room on every node; clearRooms empties rooms', async () => {
    const jo = [await connect('jo', 0), await connect('jo', 2)];
    const kim = await connect('kim', 1);
    const lou = await connect('lou', 2);
    const emitter = nodes[1].emitter.of(NS);
    await Promise.all([emitter.join('jo', 'club'), emitter.join('kim', 'club'), emitter.join('kim', 'den'), emitter.join('lou', 'den')]);
    await waitFor(async () => (await liveRoomSockets('club')).length === 3, { message: "jo's 2 and kim's sockets in club" });

    expect(await control().removeFromRoom({ namespace: NS, userId: 'jo', room: 'club' })).toEqual({ wasMember: true });
    // Leaving live rooms is a fire-and-forget adapter request to every node: it lands right after the reply.
    await waitFor(async () => (await liveRoomSockets('club')).map((socket) => socket.data.user.id).join() === 'kim', { message: 'only kim left in club' });
    expect(await control().presence({ namespace: NS, query: 'roomMembers', room: 'club' })).toEqual({ members: [{ userId: 'kim', online: true }] });
    await control().broadcast({ namespace: NS, event: 'room-notice', data: 'club only', rooms: ['club'] });
    await received([kim], 'room-notice');
    await flushUsers(jo);
    await sleep(SETTLE_MS);
    expect(jo.map((device) => countOf(device.reliable, 'room-notice'))).toEqual([0, 0]);
    expect(await control().removeFromRoom({ namespace: NS, userId: 'jo', room: 'club' })).toEqual({ wasMember: false });

    expect(await control().clearRooms({ namespace: NS, rooms: ['club', 'den', 'club'] })).toEqual({ removed: { club: 1, den: 2 } });
    await waitFor(async () => (await liveRoomSockets('club')).length + (await liveRoomSockets('den')).length === 0, { message: 'club and den empty' });
    expect(await control().presence({ namespace: NS, query: 'roomMembers', room: 'den' })).toEqual({ members: [] });
    await control().broadcast({ namespace: NS, event: 'room-notice', data: 'nobody', rooms: ['club', 'den'] });
    await flushUsers([kim, lou]);
    await sleep(SETTLE_MS);
    expect([countOf(kim.reliable, 'room-notice'), countOf(lou.reliable, 'room-notice')]).toEqual([1, 0]);
  });

  it('presence answers are complete whichever node answers first', async () => {
    await connect('max', 0);
    await connect('mia', 1);
    await connect('mia', 2);
    await connect('ned', 2);
    await Promise.all([nodes[0].emitter.of(NS).join('mia', 'deck'), nodes[0].emitter.of(NS).join('zed', 'deck')]);
    await waitFor(async () => (await presenceCount()).connections === 4, { message: 'the 4 connections in presence' });

    // Asked several times: a different node may answer first each time, and every answer must be the whole truth.
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect(await control().presence({ namespace: NS, query: 'count' })).toEqual({ connections: 4, users: 3 });
      expect(await control().presence({ namespace: NS, query: 'isOnline', userId: 'mia' })).toEqual({ online: true });
      expect(await control().presence({ namespace: NS, query: 'isOnline', userId: 'zed' })).toEqual({ online: false });
      expect(await control().presence({ namespace: NS, query: 'roomMembers', room: 'deck' })).toEqual({
        members: [
          { userId: 'mia', online: true },
          { userId: 'zed', online: false },
        ],
      });
    }
    const first = await control().presence({ namespace: NS, query: 'onlineUsers', limit: 2 });
    expect(first).toEqual({ users: ['max', 'mia'], cursor: 'mia' });
    expect(await control().presence({ namespace: NS, query: 'onlineUsers', cursor: first.cursor })).toEqual({ users: ['ned'] });
  });

  it('campaign commands reach the campaigns implementation: changes once in the cluster, queries from any node', async () => {
    const spec = { namespace: NS, target: { users: ['ann', 'ben'] }, event: 'promo', data: { code: 'SPRING' }, expiresAt: Date.now() + 60_000, ratePerSecond: 10 };

    expect(await control().campaigns.start(spec)).toEqual({ id: 'c-1' });
    expect(await control().campaigns.pause('c-1')).toMatchObject({ id: 'c-1', state: 'paused' });
    expect(await control().campaigns.resume('c-1')).toMatchObject({ id: 'c-1', state: 'running' });
    expect(await control().campaigns.progress('c-1')).toEqual({ id: 'c-1', state: 'running', total: 2, delivered: 1, pending: 1, expired: 0 });
    expect(await control().campaigns.cancel('c-1')).toMatchObject({ id: 'c-1', state: 'cancelled' });
    expect(await control().campaigns.preview({ target: { users: ['ann'] }, namespace: NS })).toEqual({ users: 1, devices: 0 });

    expect(campaigns.calls.filter((call) => call.operation === 'start')).toEqual([{ operation: 'start', argument: spec }]);
    expect(['pause', 'resume', 'cancel'].map((operation) => campaigns.count(operation))).toEqual([1, 1, 1]);
    const error = await rejection(control().campaigns.pause('nope'));
    expect({ code: error.code, message: error.message }).toEqual({ code: 'NOT_FOUND', message: 'campaign "nope" not found' });
  });

  it('answers bad commands with clear error replies', async () => {
    const unknownNamespace = await rejection(control().disconnect({ namespace: '/nope', userId: 'ann' }));
    expect({ code: unknownNamespace.code, message: unknownNamespace.message }).toEqual({ code: 'NOT_FOUND', message: `unknown namespace "/nope" (bound namespaces: ${NS})` });

    const missing = await rejection(control().removeFromRoom({ namespace: NS, userId: 'ann' } as never));
    expect({ code: missing.code, message: missing.message }).toEqual({ code: 'BAD_REQUEST', message: 'removeFromRoom: "room" is required' });

    const wrongType = await rejection(control().broadcast({ namespace: NS, event: 'notice', data: 1, users: 'ann' } as never));
    expect({ code: wrongType.code, message: wrongType.message }).toEqual({ code: 'BAD_REQUEST', message: 'broadcast: "users" must be an array of at most 10000 non-empty strings, got "ann"' });

    const misspelt = await rejection(control().broadcast({ namespace: NS, event: 'notice', data: 1, user: ['ann'] } as never));
    expect(misspelt.message).toBe('broadcast: unknown field "user"');

    const badQuery = await rejection(control().presence({ namespace: NS, query: 'everyone' } as never));
    expect(badQuery.message).toBe('presence: "query" must be one of count, isOnline, onlineUsers, roomMembers, got "everyone"');

    // Without ReliableControlClient, a command may lack the requestId that makes it run once.
    const noRequestId = await firstValueFrom(business.proxy.send(`${patternPrefix}.clearRooms`, { namespace: NS, rooms: ['x'] }).pipe(timeout(10_000))).then(
      () => undefined,
      (reply: unknown) => reply,
    );
    expect(noRequestId).toEqual({ code: 'BAD_REQUEST', message: 'clearRooms: "requestId" is required (ReliableControlClient adds one to every command)' });
  });
});
