/**
 * Peer scores and bans. A score starts at 0, penalties lower it, and it recovers toward 0 over
 * time; at or below the threshold the peer is banned for a fixed time and its score reset. The
 * clock is injected so tests (and the memory network) can drive it.
 */

export interface ScoringParams {
  banThreshold: number;
  banDurationMs: number;
  scoreRecoveryPerMinute: number;
}

interface Entry {
  score: number;
  at: number;
}

export class PeerScores {
  private readonly scores = new Map<string, Entry>();
  private readonly bans = new Map<string, { until: number; reason: string }>();

  constructor(private readonly params: ScoringParams, private readonly now: () => number = Date.now) {}

  /** Current score (<= 0). Recovery comes in whole points, so thresholds are exact. */
  score(peerId: string): number {
    const e = this.scores.get(peerId);
    return e === undefined ? 0 : this.current(e).score;
  }

  private current(e: Entry): Entry {
    const rate = this.params.scoreRecoveryPerMinute;
    if (!(rate > 0)) return e;
    const msPerPoint = 60_000 / rate;
    const points = Math.floor((this.now() - e.at) / msPerPoint);
    if (points <= 0) return e;
    const score = Math.min(0, e.score + points);
    // keep the unspent part of the interval so frequent updates do not stall recovery
    return { score, at: score === 0 ? this.now() : e.at + points * msPerPoint };
  }

  /** Lowers the score; returns true when this penalty got the peer banned. */
  penalize(peerId: string, points: number): boolean {
    if (!(points > 0)) return false;
    const prev = this.scores.get(peerId);
    const cur = prev === undefined ? { score: 0, at: this.now() } : this.current(prev);
    const s = cur.score - points;
    if (s <= this.params.banThreshold) {
      this.scores.delete(peerId);
      this.ban(peerId, `score ${s}`);
      return true;
    }
    this.scores.set(peerId, { score: s, at: cur.score === 0 ? this.now() : cur.at });
    return false;
  }

  ban(peerId: string, reason: string, durationMs = this.params.banDurationMs): void {
    this.bans.set(peerId, { until: this.now() + durationMs, reason });
  }

  banned(peerId: string): boolean {
    const b = this.bans.get(peerId);
    if (b === undefined) return false;
    if (this.now() >= b.until) {
      this.bans.delete(peerId);
      return false;
    }
    return true;
  }

  /** Remaining ban time in ms (0 when not banned). */
  banRemainingMs(peerId: string): number {
    return this.banned(peerId) ? this.bans.get(peerId)!.until - this.now() : 0;
  }

  /** Drops fully recovered entries and expired bans so the maps stay small. */
  prune(): void {
    for (const id of [...this.scores.keys()]) if (this.score(id) >= 0) this.scores.delete(id);
    for (const id of [...this.bans.keys()]) this.banned(id);
  }
}
