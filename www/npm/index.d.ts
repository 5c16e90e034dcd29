// desk-loader's types: the host page's API (`start`, `check`), the panel API
// (`window.deskLoader.register` and the boot context), the report, the
// `desk-loader:state` event, the native bridge messages and the test-harness
// API (`window.deskLoader.settled`). Each interface's members are the rows of
// the table in docs/ that documents it; tests/tidy.rs checks that they agree,
// and that the report the product writes has exactly these fields.

/** A document source: a URL, `"#id"` of a `<script type="application/json">`, or the document itself. */
export type Source = string | object;

/** `start(options)`: docs/embed.md, "Options". */
export interface Options {
  mount?: string | Element;
  manifest?: Source;
  config?: Source | Source[];
  hostConfig?: object;
  readyDeadlineMs?: number;
  reportUrl?: string;
  reportFormat?: "json" | "otlp";
  reportTimeoutMs?: number;
  backendUrl?: string;
  allowedOrigins?: string[];
  allowSameOriginWithoutIntegrity?: boolean;
  recheckMs?: number;
  recheckMaxMs?: number;
  serviceWorker?: string;
  deskId?: string;
  fetchTimeoutMs?: number;
}

/** One problem, as `desk-loader check --format json` prints it (docs/cli.md). */
export interface Problem {
  code: string;
  severity: "error" | "warning";
  variable: string | null;
  feature: string | null;
  release: string | null;
  path: string | null;
  expected: string | null;
  found: string | null;
  message: string;
}

/** `check()`'s result, and `desk-loader check --format json`'s output. */
export interface CheckResult {
  release: string;
  /** The share of desks that take the release, a percentage; `null` when every desk does. */
  rollout: number | null;
  bootable: boolean;
  problems: Problem[];
}

/** A release the boot considered: docs/report.md, `path`. */
export interface PathStep {
  release: string;
  attempt: number | null;
  outcome: string;
  fromCache?: boolean;
  /** The share of desks the release goes to, when it is rolled out (docs/manifest.md). */
  rollout?: number;
}

/** A summary of an earlier failed boot whose report was not delivered. */
export interface EarlierBoot {
  bootId: string;
  outcome: "ready" | "failed";
  release: string | null;
  served: string | null;
  rollout: number | null;
  code: string | null;
  supportCode: string | null;
  at: string;
  fallbacks: number;
  recovered: boolean;
  userAgent: string;
}

/** The boot's report: docs/report.md, "Fields". */
export interface Report {
  format: 1;
  outcome: "ready" | "failed";
  release: string | null;
  code: string | null;
  supportCode: string | null;
  backendSchema: number | null;
  userAgent: "android-webview" | "ios-webview" | "mobile" | "desktop" | "headless" | "unknown";
  at: string;
  bootId: string;
  served: string | null;
  rollout: number | null;
  fallbacks: number;
  recovered: boolean;
  errorScreenMs: number | null;
  timings: {
    manifestMs: number | null;
    configMs: number | null;
    bundleMs: number | null;
    readyMs: number | null;
    totalMs: number | null;
  };
  path: PathStep[];
  problems: Problem[];
  problemsDropped: number;
  earlier: EarlierBoot[];
}

/** `event.detail` of a `desk-loader:state` event (docs/embed.md, "Following the boot"). */
export interface StateDetail {
  state: "loading" | "booting" | "ready" | "failed";
  release: string | null;
  attempt: number | null;
  code: string | null;
}

/** What a native bridge receives (docs/embed.md, "Native bridge"). */
export type BridgeMessage = ({ type: "desk-loader:state" } & StateDetail) | { type: "desk-loader:report"; report: Report };

/** The boot context a panel's boot function receives: docs/panel-api.md. */
export interface BootContext {
  readonly attemptId: number;
  readonly releaseId: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly features: Readonly<Record<string, boolean>>;
  readonly mount: Element;
  ready(): void;
  fail(reason?: unknown): void;
  /** Aborted when the loader removes this attempt: unmount the panel's root on it. */
  readonly signal: AbortSignal;
}

/** `window.deskLoader`. */
export interface DeskLoader {
  /** The panel hands over its boot function (docs/panel-api.md). */
  register(boot: (ctx: BootContext) => void | Promise<void>): void;
  /** The loader's version. */
  readonly version: string;
  /** The boot's report, once it ends; never rejects (docs/embed.md, "Awaiting the outcome"). */
  readonly settled: Promise<Report>;
}

declare global {
  interface Window {
    deskLoader: DeskLoader;
  }
  var deskLoader: DeskLoader;
  interface DocumentEventMap {
    "desk-loader:state": CustomEvent<StateDetail>;
    "desk-loader:report": CustomEvent<Report>;
  }
}

/** Compiles and instantiates the module; a URL, a `Response` or the bytes (default: next to the glue). */
export default function init(
  options?: { module_or_path: string | URL | Request | Response | BufferSource | WebAssembly.Module },
): Promise<unknown>;

/** Starts the boot. Throws only when the options are unusable (no mount point). */
export function start(options?: Options): void;

/** Checks a release against a configuration, as `desk-loader check` does; each document is JSON text or an object. */
export function check(manifest: string | object, config: string | object, release?: string): CheckResult;
