import { sleep } from '../../test/support/wait.js';
import type { ChaosCluster } from './chaos.cluster.js';
import type { ChatParticipant } from './chat.participant.js';
import { describeFault, FAULT_KINDS, laneOf, type FaultKind, type FaultLane, type PlannedFault } from './fault.plan.js';

/**
 * Carries out a fault schedule against the cluster and the clients. Each lane runs its faults in order,
 * a fault starting at its planned time or, when the previous fault of its lane is still under way, as soon
 * as that one is over; a fault that could only start after the fault window is skipped. The first fault
 * that cannot be carried out (a node that does not come back) stops every lane: the run is broken.
 */
export class FaultInjector {
  /** Faults carried out, by kind. */
  readonly injected = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  readonly skipped: PlannedFault[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly plan: readonly PlannedFault[],
    private readonly cluster: ChaosCluster,
    private readonly participants: readonly ChatParticipant[],
    private readonly log: (line: string) => void,
  ) {}

  /** Runs the schedule from `startedAt` (ms since the epoch) with faults starting no later than `windowEndMs` after it. */
  async run(startedAt: number, windowEndMs: number): Promise<void> {
    const lanes = new Map<FaultLane, PlannedFault[]>();
    for (const fault of this.plan) lanes.set(laneOf(fault.kind), [...(lanes.get(laneOf(fault.kind)) ?? []), fault]);
    await Promise.all([...lanes.entries()].map(([lane, faults]) => this.runLane(lane, faults, startedAt, windowEndMs)));
    if (this.failure) throw this.failure;
  }

  private async runLane(lane: FaultLane, faults: PlannedFault[], startedAt: number, windowEndMs: number): Promise<void> {
    const background: Promise<void>[] = [];
    for (const fault of faults) {
      const wait = startedAt + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.failure) break;
      const at = Date.now() - startedAt;
      if (at > windowEndMs) {
        this.skipped.push(fault);
        this.log(`+${seconds(at)} skipped (its lane was busy until after the fault window): ${describeFault(fault)}`);
        continue;
      }
      this.log(`+${seconds(at)} ${describeFault(fault)}`);
      const done = this.inject(fault).then(
        () => void (this.injected[fault.kind] += 1),
        (error: unknown) => {
          this.failure ??= new Error(`fault failed: ${describeFault(fault)}: ${(error as Error).message}`, { cause: error });
        },
      );
      // Instant faults overlap one another; the others of a lane wait for the previous one to end.
      if (lane === 'instant') background.push(done);
      else await done;
    }
    await Promise.all(background);
  }

  private inject(fault: PlannedFault): Promise<void> {
    switch (fault.kind) {
      case 'transport-close':
        this.cluster.closeTransports(fault.node);
        return Promise.resolve();
      case 'blackhole':
        return this.cluster.blackholeTransports(fault.node, fault.holdMs);
      case 'node-kill':
        return this.cluster.killNode(fault.node, fault.downMs);
      case 'node-restart':
        return this.cluster.restartNode(fault.node);
      case 'client-reload':
        return this.participants[fault.client].reload();
      case 'redis-drop':
        return this.cluster.dropRedis(fault.node, fault.holdMs, fault.mode);
    }
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
