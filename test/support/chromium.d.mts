export const CHROMIUM_ARGS: string[];
export interface ChromiumInfo {
  executablePath: string;
  /** The whole environment to start it with. */
  env: Record<string, string>;
  source: string;
}
export function findChromium(): Promise<ChromiumInfo>;
