/** The kinds of Go profile goleak-lint ranks with. */
export type ProfileKind = 'heap' | 'goroutine' | 'goroutineleak';

/** One frame of a stack, as `go tool pprof -lines` shows it: inlined calls are frames of their own. */
export interface Frame {
  /** The file name as the profile has it (absolute build path or -trimpath module path). */
  file: string;
  line: number;
  function: string;
}

/** One stack of a profile with its values: bytes and objects for heap, goroutines otherwise. */
export interface Stack {
  /** Leaf first. */
  frames: Frame[];
  /** In-use bytes (heap), or goroutines (goroutine profiles). */
  value: number;
  /** In-use objects (heap only; 0 otherwise). */
  objects: number;
  /** Set on the stacks of a subtracted --profile-base (their values are negated). */
  fromBase?: boolean;
}

/** A decoded profile, reduced to what the ranker needs. */
export interface LoadedProfile {
  /** The file or URL it came from, as given. */
  source: string;
  kind: ProfileKind;
  /** The sample type whose values `value` holds: inuse_space, alloc_space, goroutine, goroutineleak. */
  sampleType: string;
  stacks: Stack[];
  /** Set when an earlier profile of the kind was subtracted (--profile-base): values are growth. */
  base?: string;
}

/** What one profile says about one finding (or hot spot). */
export interface ProfileImpact {
  kind: ProfileKind;
  /** The profile's file or URL. */
  profile: string;
  /**
   * Bytes in use (heap) or goroutines (goroutine profiles) on stacks that pass through one
   * of the finding's evidence lines: what the statement there holds, callees included.
   */
  value: number;
  /** Of those, the part allocated at the evidence lines themselves (the leaf frame). */
  flat: number;
  /**
   * Bytes or goroutines on stacks through any line of the function (or func literal) that
   * holds an evidence site: what the finding's function allocated or parks, in all.
   */
  inFunction: number;
  /** In-use objects on the same stacks as value (heap only). */
  objects: number;
  /** value as a share of the profile's total (or of its total growth, with a base), 0..1. */
  share: number;
  /** True when value is growth over --profile-base. */
  growth: boolean;
  /** With a base: the newer profile's own value on the same stacks (bytes or goroutines now). */
  current?: number;
  /** The evidence site that holds most of it: `file:line`, relative to the working directory. */
  site: string;
  /** The Go function at that site, as the profile names it. */
  function: string;
  /**
   * Set when the bytes are those a container or field keeps (heap): its name (`Cache.data`),
   * where the values it keeps were allocated (`file:line`, most bytes first) and stored.
   */
  holder?: { name: string; allocated: string[]; stored: string | null };
  /**
   * Set on a goroutine finding's heap impact when the bytes are those allocated in the
   * functions of its goroutine and of the call that starts it (no evidence line allocates).
   */
  keptByGoroutines?: true;
}

/** One line per loaded profile in the report: how much of it the linted tree explains. */
export interface ProfileSummary {
  profile: string;
  kind: ProfileKind;
  base?: string;
  /** The profile's total: bytes in use (heap; growth with a base) or goroutines. */
  total: number;
  /** The part on stacks with at least one frame in a file of the linted tree. */
  inTree: number;
  /** The part the findings account for (each stack counted once). */
  explained: number;
  /** Profile file names mapped to files of the tree, and those that are not. */
  filesMapped: number;
  filesUnmapped: number;
}
