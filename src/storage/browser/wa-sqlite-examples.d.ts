// Types for the two example VFSs of @vlcn.io/wa-sqlite that the browser adapter uses; the
// package ships no declarations for them. xRead/xWrite are typed as the builds of 0.22 call
// them (a Uint8Array view of wasm memory), not as the package's outdated typings say.

declare module '@vlcn.io/wa-sqlite/src/examples/AccessHandlePoolVFS.js' {
  /// Keeps every SQLite file in a pool of OPFS files, each opened once with a synchronous
  /// access handle. Each OPFS file starts with a 4096-byte header naming the SQLite path.
  export class AccessHandlePoolVFS {
    constructor(directoryPath: string);
    get name(): string;
    mxPathName: number;
    /// Settles once every file of the directory has an access handle.
    readonly isReady: Promise<void>;
    getSize(): number;
    getCapacity(): number;
    addCapacity(n: number): Promise<number>;
    close(): Promise<void>;
    xOpen(name: string | null, fileId: number, flags: number, pOutFlags: DataView): number;
    xClose(fileId: number): number;
    xRead(fileId: number, pData: Uint8Array, iOffset: number): number;
    xWrite(fileId: number, pData: Uint8Array, iOffset: number): number;
    xTruncate(fileId: number, iSize: number): number;
    xSync(fileId: number, flags: number): number;
    xFileSize(fileId: number, pSize64: DataView): number;
    xDelete(name: string, syncDir: number): number;
    xAccess(name: string, flags: number, pResOut: DataView): number;
  }
}

declare module '@vlcn.io/wa-sqlite/src/examples/IDBBatchAtomicVFS.js' {
  /// Keeps SQLite files as blocks in an IndexedDB database named `idbDatabaseName`, using
  /// SQLite's batch atomic writes. Needs the asynchronous (Asyncify) build.
  export class IDBBatchAtomicVFS {
    constructor(idbDatabaseName?: string, options?: { durability?: 'default' | 'strict' | 'relaxed'; purge?: 'deferred' | 'manual'; purgeAtLeast?: number });
    readonly name: string;
    close(): Promise<void>;
    /// Unregistered, the VFS methods return promises (its default handleAsync).
    xDelete(name: string, syncDir: number): number | Promise<number>;
  }
}
