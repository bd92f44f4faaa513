import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ApprovalAsk, ChangeApprovalTicket } from '../types';
import { ApprovalPanel } from './ApprovalPanel';

const TICKET: ChangeApprovalTicket = {
  ticketId: 12,
  url: '/tickets/12',
  approvers: ['group:default/admins', 'user:default/alice'],
  digest: 'a'.repeat(64),
};

const zhCN = [
  mockApis.appLanguage({
    defaultLanguage: 'zh-CN',
    availableLanguages: ['en', 'zh-CN'],
  }),
];

describe('ApprovalPanel', () => {
  it('asks for an approval, then runs with a typed approved ticket', async () => {
    const asks: ApprovalAsk[] = [];
    await renderInTestApp(
      <ApprovalPanel
        idPrefix="demo"
        reason="This change touches prod."
        busy={false}
        onRun={ask => asks.push(ask)}
      />,
    );
    const panel = screen.getByTestId('demo-approval');
    expect(panel).toHaveTextContent('This change touches prod.');
    expect(within(panel).queryByRole('link')).toBeNull();
    const run = within(panel).getByRole('button', {
      name: 'Run with approved ticket',
    });
    expect(run).toBeDisabled();

    await userEvent.click(
      within(panel).getByRole('button', { name: 'Request approval' }),
    );
    expect(asks).toEqual([{ requestApproval: true }]);

    const field = within(panel).getByLabelText('Approved ticket #');
    expect(field).toHaveAttribute('id', 'demo-approval-ticket');
    await userEvent.type(field, '0');
    expect(run).toBeDisabled();
    await userEvent.clear(field);
    await userEvent.type(field, '9');
    expect(run).toBeEnabled();
    await userEvent.click(run);
    expect(asks).toEqual([{ requestApproval: true }, { approvalTicket: 9 }]);
  });

  it('shows the opened ticket with its approvers and runs with it, prefilled', async () => {
    const asks: ApprovalAsk[] = [];
    await renderInTestApp(
      <ApprovalPanel
        idPrefix="demo"
        reason="Prod."
        requested={TICKET}
        busy={false}
        onRun={ask => asks.push(ask)}
        runLabel="Push with approved ticket"
      />,
    );
    const panel = screen.getByTestId('demo-approval');
    expect(panel).toHaveTextContent(
      'Approval ticket 12 opened for group:default/admins, user:default/alice. Once it is approved, run the same change with it.',
    );
    expect(
      within(panel).getByRole('link', { name: 'Open ticket 12' }),
    ).toHaveAttribute('href', '/tickets/12');
    expect(
      within(panel).queryByRole('button', { name: 'Request approval' }),
    ).toBeNull();
    expect(within(panel).getByLabelText('Approved ticket #')).toHaveValue(12);
    await userEvent.click(
      within(panel).getByRole('button', { name: 'Push with approved ticket' }),
    );
    expect(asks).toEqual([{ approvalTicket: 12 }]);
  });

  it('waits while a request is under way', async () => {
    const onRun = jest.fn();
    await renderInTestApp(
      <ApprovalPanel
        idPrefix="demo"
        reason="Prod."
        requested={TICKET}
        busy
        onRun={onRun}
      />,
    );
    expect(
      screen.getByRole('button', { name: 'Run with approved ticket' }),
    ).toBeDisabled();
  });

  it('speaks Simplified Chinese', async () => {
    const asks: ApprovalAsk[] = [];
    const { unmount } = await renderInTestApp(
      <ApprovalPanel
        idPrefix="demo"
        reason="生产变更。"
        busy={false}
        onRun={ask => asks.push(ask)}
      />,
      { apis: zhCN },
    );
    // the zh-CN messages load lazily
    const request = await screen.findByRole(
      'button',
      { name: '申请审批' },
      { timeout: 15_000 },
    );
    await userEvent.click(request);
    expect(asks).toEqual([{ requestApproval: true }]);
    expect(screen.getByLabelText('已审批的工单号')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: '凭审批工单执行' }),
    ).toBeDisabled();
    unmount();

    await renderInTestApp(
      <ApprovalPanel
        idPrefix="demo"
        reason="生产变更。"
        requested={TICKET}
        busy={false}
        onRun={() => {}}
      />,
      { apis: zhCN },
    );
    expect(
      await screen.findByRole(
        'link',
        { name: '打开工单 12' },
        { timeout: 15_000 },
      ),
    ).toHaveAttribute('href', '/tickets/12');
    expect(screen.getByTestId('demo-approval')).toHaveTextContent(
      '已为 group:default/admins, user:default/alice 创建审批工单 12。审批通过后，凭该工单执行同一变更。',
    );
  });
});
