import { describe, it } from '@jest/globals';
import { replayStart } from './replay-start.js';

const state = (first: number, head: number) => ({ epoch: 'E', first, head });

describe('replayStart', () => {
  it('resumes after a cursor of the current epoch', () => {
    expect(replayStart({ epoch: 'E', offset: 5 }, state(1, 9), 0)).toEqual({ after: 5, joined: false, mustAnnounce: false });
  });

  it('starts a device without a cursor at the oldest retained message and announces the position', () => {
    expect(replayStart(undefined, state(1, 9), 0)).toEqual({ after: 0, joined: false, mustAnnounce: true });
    expect(replayStart(undefined, state(4, 9), 0)).toEqual({ after: 3, joined: false, mustAnnounce: true });
  });

  it('restarts a cursor of another epoch from the beginning', () => {
    expect(replayStart({ epoch: 'OLD', offset: 40 }, state(1, 3), 0)).toEqual({ after: 0, joined: false, mustAnnounce: true });
  });

  it('jumps a cursor behind retention to the oldest retained message (a trimmed gap for the client)', () => {
    expect(replayStart({ epoch: 'E', offset: 2 }, state(50, 60), 0)).toEqual({ after: 49, joined: false, mustAnnounce: true });
  });

  it('starts a room at the membership, silently, when the cursor predates it', () => {
    expect(replayStart({ epoch: 'E', offset: 10 }, state(1, 90), 80)).toEqual({ after: 80, joined: true, mustAnnounce: true });
    expect(replayStart(undefined, state(1, 90), 80)).toEqual({ after: 80, joined: true, mustAnnounce: true });
  });

  it('reports trimming, not membership, when retention is past the join point', () => {
    expect(replayStart({ epoch: 'E', offset: 10 }, state(86, 90), 80)).toEqual({ after: 85, joined: false, mustAnnounce: true });
  });
});
