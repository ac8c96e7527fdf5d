import { columnsOf, isDataRejection, rejectionReason, writeSplitting } from '../../../lib/persistence/batch-split.js';

/** An error as pg reports it, with a SQLSTATE. */
function pgError(code: string, message = 'refused'): Error {
  return Object.assign(new Error(message), { code });
}

/** A write that refuses every range holding one of `bad`, and records the ranges it was given. */
function refusing(bad: number[], code = '22003') {
  const calls: [number, number][] = [];
  const written: number[] = [];
  const write = async (from: number, to: number) => {
    calls.push([from, to]);
    if (bad.some(i => i >= from && i < to)) throw pgError(code);
    for (let i = from; i < to; i++) written.push(i);
  };
  return { write, calls, written };
}

describe('batch split', () => {
  describe(isDataRejection.name, () => {
    it('should take SQLSTATE classes 22 and 23 as data rejections, and nothing else', () => {
      for (const code of ['22001', '22003', '22008', '22021', '22P02', '22P05', '23502', '23505', '23514']) {
        expect(isDataRejection(pgError(code))).toBe(true);
      }
      for (const code of ['08006', '57P01', '53300', '42P01', '25P02', '40001', 'ECONNREFUSED', 'ETIMEDOUT']) {
        expect(isDataRejection(pgError(code))).toBe(false);
      }
      expect(isDataRejection(new Error('Connection terminated unexpectedly'))).toBe(false);
      expect(isDataRejection(undefined)).toBe(false);
      expect(isDataRejection({ code: 22003 })).toBe(false);
    });
  });

  describe(writeSplitting.name, () => {
    it('should write a batch in one call when nothing is refused', async () => {
      const { write, calls } = refusing([]);
      expect(await writeSplitting(1_000, write)).toEqual({ settled: 1_000, rejected: [], failed: false });
      expect(calls).toEqual([[0, 1_000]]);
    });

    it('should split a refused batch down to its bad records, write every other one once, in order', async () => {
      const { write, calls, written } = refusing([3, 700, 701], '23514');
      const result = await writeSplitting(1_000, write);
      expect(result).toMatchObject({ settled: 1_000, failed: false });
      expect(result.rejected.map(r => r.index)).toEqual([3, 700, 701]);
      expect(result.rejected.every(r => (r.error as { code: string }).code === '23514')).toBe(true);
      expect(written).toEqual(Array.from({ length: 1_000 }, (_, i) => i).filter(i => ![3, 700, 701].includes(i)));
      // About 2·log₂(n) calls per bad record, not one per record.
      expect(calls.length).toBeLessThan(3 * 2 * Math.log2(1_000));
    });

    it('should stop at an error that is not about the data, with what came before settled', async () => {
      const lost = new Error('Connection terminated unexpectedly');
      const calls: [number, number][] = [];
      const result = await writeSplitting(8, async (from, to) => {
        calls.push([from, to]);
        if (to - from === 8 || (from === 0 && to === 4) || (from === 0 && to === 2)) throw pgError('22003');
        if (from >= 4) throw lost;
      });
      // [0,8), [0,4) and [0,2) refused; 0, 1 and [2,4) go through; [4,8) loses the connection.
      expect(result).toEqual({ settled: 4, rejected: [], failed: true, error: lost });
      expect(calls).toEqual([[0, 8], [0, 4], [0, 2], [0, 1], [1, 2], [2, 4], [4, 8]]);
    });

    it('should report a lone refused record and write nothing for an empty batch', async () => {
      const { write } = refusing([0]);
      const result = await writeSplitting(1, write);
      expect(result).toMatchObject({ settled: 1, failed: false, rejected: [{ index: 0 }] });
      const none = refusing([]);
      expect(await writeSplitting(0, none.write)).toEqual({ settled: 0, rejected: [], failed: false });
      expect(none.calls).toEqual([]);
    });
  });

  describe(rejectionReason.name, () => {
    it("should give PostgreSQL's code, message, detail and where", () => {
      const err = Object.assign(pgError('22003', 'value "3000000000" is out of range for type integer'), {
        where: 'COPY consumption_records, line 201, column processing_time_ms: "3000000000"',
      });
      expect(rejectionReason(err)).toBe(
        '22003: value "3000000000" is out of range for type integer; COPY consumption_records, line 201, column processing_time_ms: "3000000000"',
      );
    });
  });

  describe(columnsOf.name, () => {
    it('should give the columns themselves for the whole range, and slices otherwise', () => {
      const cols = [[1, 2, 3], ['a', 'b', 'c']];
      expect(columnsOf(cols, 0, 3)).toBe(cols);
      expect(columnsOf(cols, 1, 3)).toEqual([[2, 3], ['b', 'c']]);
    });
  });
});
