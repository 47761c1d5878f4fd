import fs from 'node:fs';
import * as VFS from '@vlcn.io/wa-sqlite/src/VFS.js';

/// The methods this VFS overrides, typed as the synchronous build calls them (the package's
/// typings describe an older calling convention for xRead/xWrite).
interface SyncVfsBase {
  mxPathName: number;
  xOpen(name: string | null, fileId: number, flags: number, pOutFlags: DataView): number;
  xClose(fileId: number): number;
  xRead(fileId: number, pData: Uint8Array, iOffset: number): number;
  xWrite(fileId: number, pData: Uint8Array, iOffset: number): number;
  xTruncate(fileId: number, iSize: number): number;
  xSync(fileId: number, flags: number): number;
  xFileSize(fileId: number, pSize64: DataView): number;
  xDelete(name: string, syncDir: number): number;
  xAccess(name: string, flags: number, pResOut: DataView): number;
  // Inherited defaults: locking is a no-op, no file controls.
  xLock(fileId: number, flags: number): number;
  xUnlock(fileId: number, flags: number): number;
  xCheckReservedLock(fileId: number, pResOut: DataView): number;
  xFileControl(fileId: number, op: number, pArg: DataView): number;
  xSectorSize(fileId: number): number;
  xDeviceCharacteristics(fileId: number): number;
}
const SyncVfs = VFS.Base as unknown as new () => SyncVfsBase;

interface OpenFile {
  readonly path: string;
  readonly fd: number;
  readonly flags: number;
}

/// A synchronous SQLite VFS over node:fs, for the synchronous cr-sqlite build: how the
/// cloud peer keeps its replica on disk. Locks are no-ops: the database runs with
/// `locking_mode=exclusive` and one process owns the data directory.
export class NodeFileVFS extends SyncVfs {
  readonly name: string;
  override mxPathName = 1024;
  private readonly files = new Map<number, OpenFile>();
  private tempCounter = 0;

  constructor(name = 'node-file') {
    super();
    this.name = name;
  }

  override xOpen(name: string | null, fileId: number, flags: number, pOutFlags: DataView): number {
    const path = name ?? `${process.env.TMPDIR ?? '/tmp'}/sqlite-temp-${process.pid}-${++this.tempCounter}`;
    try {
      const create = (flags & VFS.SQLITE_OPEN_CREATE) !== 0;
      const exists = fs.existsSync(path);
      if (!exists && !create) return VFS.SQLITE_CANTOPEN;
      const fd = fs.openSync(path, exists ? 'r+' : 'w+', 0o600);
      this.files.set(fileId, { path, fd, flags });
      pOutFlags.setInt32(0, flags, true);
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_CANTOPEN;
    }
  }

  override xClose(fileId: number): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_OK;
    this.files.delete(fileId);
    try {
      fs.closeSync(file.fd);
      if (file.flags & VFS.SQLITE_OPEN_DELETEONCLOSE) fs.rmSync(file.path, { force: true });
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_CLOSE;
    }
  }

  override xRead(fileId: number, pData: Uint8Array, iOffset: number): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_READ;
    try {
      let done = 0;
      while (done < pData.byteLength) {
        const n = fs.readSync(file.fd, pData, done, pData.byteLength - done, iOffset + done);
        if (n === 0) break;
        done += n;
      }
      if (done < pData.byteLength) {
        pData.fill(0, done);
        return VFS.SQLITE_IOERR_SHORT_READ;
      }
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_READ;
    }
  }

  override xWrite(fileId: number, pData: Uint8Array, iOffset: number): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_WRITE;
    try {
      let done = 0;
      while (done < pData.byteLength) {
        done += fs.writeSync(file.fd, pData, done, pData.byteLength - done, iOffset + done);
      }
      return VFS.SQLITE_OK;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOSPC' ? VFS.SQLITE_FULL : VFS.SQLITE_IOERR_WRITE;
    }
  }

  override xTruncate(fileId: number, iSize: number): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_TRUNCATE;
    try {
      fs.ftruncateSync(file.fd, iSize);
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_TRUNCATE;
    }
  }

  override xSync(fileId: number): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_FSYNC;
    try {
      fs.fdatasyncSync(file.fd);
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_FSYNC;
    }
  }

  override xFileSize(fileId: number, pSize64: DataView): number {
    const file = this.files.get(fileId);
    if (!file) return VFS.SQLITE_IOERR_FSTAT;
    try {
      pSize64.setBigInt64(0, BigInt(fs.fstatSync(file.fd).size), true);
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_FSTAT;
    }
  }

  override xDelete(name: string): number {
    try {
      fs.rmSync(name, { force: true });
      return VFS.SQLITE_OK;
    } catch {
      return VFS.SQLITE_IOERR_DELETE;
    }
  }

  override xAccess(name: string, _flags: number, pResOut: DataView): number {
    pResOut.setInt32(0, fs.existsSync(name) ? 1 : 0, true);
    return VFS.SQLITE_OK;
  }
}
