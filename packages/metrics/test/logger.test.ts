import { expect } from 'chai';
import { createLogger } from '../src/index';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('worker', level, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger, lines };
}

describe('createLogger (pino underneath)', () => {
  it('writes one JSON line with time, level, component, message and the fields, as before pino', () => {
    const { logger, lines } = capture();
    logger.info('worker started', { queue: 'q1', audit: true });
    expect(lines).to.have.length(1);
    const [line] = lines;
    expect(line).to.include({ level: 'info', component: 'worker', message: 'worker started', queue: 'q1', audit: true });
    expect(Date.parse(String(line?.time))).to.be.closeTo(Date.now(), 5_000);
    expect(Object.keys(line ?? {})).to.have.members(['time', 'level', 'component', 'message', 'queue', 'audit']);
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    logger.warn('kept');
    expect(lines.map((line) => line.message)).to.deep.equal(['kept']);
  });

  it('names a child by its part of the process, once per line, and keeps the other bindings', () => {
    const { logger, lines } = capture();
    const shipper = logger.child({ component: 'audit', schema: 'public' });
    shipper.warn('audit write failed', { attempt: 2 });
    shipper.child({ component: 'labels' }).error('refused');
    expect(lines[0]).to.include({ component: 'worker/audit', schema: 'public', attempt: 2, level: 'warn' });
    expect(lines[1]).to.include({ component: 'worker/audit/labels', schema: 'public', level: 'error' });
    // The raw line names the component once (no repeated key for a JSON reader to pick from).
    const raw: string[] = [];
    createLogger('api', 'info', (line) => raw.push(line))
      .child({ component: 'shadow' })
      .info('x');
    expect(raw[0]?.match(/"component"/g)).to.have.length(1);
  });
});
