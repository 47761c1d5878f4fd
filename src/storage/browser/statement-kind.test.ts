import { describe, expect, it } from 'vitest';
import { classifyStatement } from './statement-kind';

describe('classifyStatement', () => {
  it('reads are repeatable and write nothing', () => {
    for (const sql of ['SELECT 1', '  select * from t', 'VALUES (1)', 'EXPLAIN QUERY PLAN SELECT 1', 'PRAGMA integrity_check', 'pragma table_info(t)']) {
      expect(classifyStatement(sql), sql).toEqual({ writes: false, retry: 'repeat' });
    }
  });

  it('writes go through the call log', () => {
    for (const sql of ['INSERT INTO t VALUES (1)', 'update t set v = 1', 'DELETE FROM t', 'REPLACE INTO t VALUES (1)', 'CREATE TABLE x (a)', 'WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c', 'DROP TABLE t']) {
      expect(classifyStatement(sql), sql).toEqual({ writes: true, retry: 'log' });
    }
  });

  it('settings and VACUUM are idempotent writes', () => {
    expect(classifyStatement('PRAGMA user_version = 3')).toEqual({ writes: true, retry: 'repeat' });
    expect(classifyStatement('VACUUM')).toEqual({ writes: true, retry: 'repeat' });
  });

  it('transaction control and ATTACH are never retried', () => {
    for (const sql of ['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT a', 'RELEASE a', "ATTACH 'x' AS y", 'DETACH y']) {
      expect(classifyStatement(sql).retry, sql).toBe('never');
    }
  });

  it('looks past leading comments', () => {
    expect(classifyStatement('-- the list\nSELECT 1')).toEqual({ writes: false, retry: 'repeat' });
    expect(classifyStatement('/* a */ /* b */ DELETE FROM t')).toEqual({ writes: true, retry: 'log' });
    expect(classifyStatement('-- only a comment')).toEqual({ writes: true, retry: 'log' });
  });
});
