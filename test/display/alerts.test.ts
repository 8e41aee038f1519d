import t from 'tap';
import { AlertBoard } from '../../src/display/alerts.js';
import { EventBus } from '../../src/events.js';

/**
 * What the display remembers from the bus: which events become alerts, which of those are urgent
 * (red LED and beep), and that a state that stays failed is not alerted twice.
 */
t.test('events become alerts, newest first; only urgent ones ask for the LED and beep', async (t) => {
  const bus = new EventBus();
  const changes: boolean[] = [];
  const board = new AlertBoard(bus, (urgent) => changes.push(urgent), () => new Date('2026-11-27T03:00:00Z'));
  t.teardown(() => board.dispose());

  bus.publish('incoming.arrived', { id: 'i1', documentId: 'D1', from: '000.00.00.H99', subject: 'Công văn thường', priority: 0 });
  t.same(board.list(), [], 'a normal incoming document is no alert');
  t.equal(board.recentIncoming().length, 1);
  bus.publish('incoming.arrived', { id: 'i2', documentId: 'D2', from: '000.00.00.H99', subject: 'Hỏa tốc', priority: 3 });
  bus.publish('incoming.unreadable', { axisDocId: 'ax-9', from: '000.00.01.H99', code: 'EDXML_DTD' });
  bus.publish('incoming.unreadable', { axisDocId: 'ax-10', from: null, code: 'UNFETCHABLE' });
  bus.publish('incoming.recalled', { id: 'i3', documentId: 'D3' });
  bus.publish('hsm.state', { state: 'down', reason: 'token removed' });
  bus.publish('hsm.state', { state: 'down', reason: 'still removed' });

  t.same(
    board.list().map((a) => [a.title, a.detail, a.urgent]),
    [
      ['HSM down', 'token removed', true],
      ['RECALLED', 'D3', false],
      ['INCOMING UNREADABLE', 'unknown sender UNFETCHABLE', false],
      ['INCOMING UNREADABLE', '000.00.01.H99 EDXML_DTD', false],
      ['URGENT P3 000.00.00.H99', 'Hỏa tốc', true],
    ],
    'an HSM that stays down is alerted once',
  );
  t.ok(board.hasUrgent());
  t.same(changes, [false, true, false, false, false, true, false]);

  t.ok(board.acknowledgeNewest());
  t.equal(board.list()[0]?.title, 'RECALLED');
  board.acknowledgeAll();
  t.notOk(board.hasUrgent());
  t.notOk(board.acknowledgeNewest(), 'nothing left to acknowledge');
});
