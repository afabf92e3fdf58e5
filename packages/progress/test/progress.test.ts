import { expect } from 'chai';
import { createProgress } from '../src/progress';

describe('progress display', function () {
  it('draws a bar on a terminal and plain lines, a tenth at a time, elsewhere', function () {
    const written: string[] = [];
    const logged: string[] = [];
    const plain = createProgress({ isTTY: false, write: (text) => written.push(text) }, 1000, (line) => logged.push(line), 'scan');
    for (let done = 0; done <= 1000; done += 50) plain.update(done, `${done} rows`);
    plain.log('line 7: bad');
    plain.finish('1000 rows');
    expect(written).to.deep.equal([...Array.from({ length: 11 }, (_, i) => `scan: ${i * 10}% ${i * 100} rows\n`), 'scan: 100% 1000 rows\n']);
    expect(logged).to.deep.equal(['line 7: bad']);

    const drawn: string[] = [];
    const bar = createProgress({ isTTY: true, write: (text) => drawn.push(text) }, 1000, () => undefined, 'scan');
    bar.update(500, 'half');
    bar.finish('all');
    expect(drawn[0]).to.equal(`\r\x1b[Kscan [${'#'.repeat(15)}${'.'.repeat(15)}]  50% half`);
    expect(drawn.slice(-2)).to.deep.equal([`\r\x1b[Kscan [${'#'.repeat(30)}] 100% all`, '\n']);
  });

  it('keeps a logged line off the bar: the bar is cleared, the line written, the bar drawn again', function () {
    const drawn: string[] = [];
    const logged: string[] = [];
    const bar = createProgress({ isTTY: true, write: (text) => drawn.push(text) }, 10, (line) => logged.push(line), 'export');
    bar.update(3, '3 rows');
    bar.log('a note');
    expect(logged).to.deep.equal(['a note']);
    expect(drawn).to.deep.equal([
      `\r\x1b[Kexport [${'#'.repeat(9)}${'.'.repeat(21)}]  30% 3 rows`,
      '\r\x1b[K',
      `export [${'#'.repeat(9)}${'.'.repeat(21)}]  30% 3 rows`,
    ]);
  });
});
