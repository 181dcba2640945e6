/**
 * The part of autocannon's JSON result (`autocannon -j`) that bench/forum.ts reads.
 * autocannon ships no types; @types/autocannon would be a dependency for one shape.
 */
declare module 'autocannon' {
  export interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  export interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
}
