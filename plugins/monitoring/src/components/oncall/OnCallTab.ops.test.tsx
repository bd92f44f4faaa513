import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from '../alerts/__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const ops = (name: string) => name.startsWith('opsdeck.monitoring.');

async function pick(dialog: HTMLElement, label: string, option: RegExp) {
  await userEvent.click(within(dialog).getByLabelText(label));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('On-call tab for ops', () => {
  it('creates a rotation with members picked from the group in the catalog, in turn order', async () => {
    const calls = await render(ops, 'oncall');
    await screen.findByTestId('rotation-3');
    await userEvent.click(screen.getByRole('button', { name: 'New rotation' }));
    const dialog = await screen.findByRole('dialog');
    // nothing picked: refused in the form, nothing sent
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    expect(within(dialog).getByText('A name is required')).toBeInTheDocument();
    expect(within(dialog).getByText('Pick a group')).toBeInTheDocument();

    await userEvent.type(within(dialog).getByLabelText('Name'), 'Night');
    await pick(dialog, 'Group (alert owner)', /group:default\/ops/);
    // only the group's users are offered
    await userEvent.click(
      within(dialog).getByLabelText('Members, in turn order'),
    );
    expect(
      within(await screen.findByRole('listbox')).getAllByRole('option'),
    ).toHaveLength(2);
    expect(screen.queryByRole('option', { name: /Dave/ })).toBeNull();
    await userEvent.click(screen.getByRole('option', { name: /Olga Petrova/ }));
    await pick(dialog, 'Members, in turn order', /Erin Wu/);
    // erin first
    await userEvent.click(
      within(dialog).getByRole('button', { name: '↑ erin' }),
    );
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Shift length'),
      'hours',
    );
    const hours = within(dialog).getByLabelText('Hours per shift');
    await userEvent.clear(hours);
    await userEvent.type(hours, '12');
    const handoff = within(dialog).getByLabelText('Handoff time');
    await userEvent.clear(handoff);
    await userEvent.type(handoff, '08:30');
    const zone = within(dialog).getByLabelText('Time zone');
    await userEvent.clear(zone);
    await userEvent.type(zone, 'Europe/Berl');
    await userEvent.click(
      await screen.findByRole('option', { name: 'Europe/Berlin' }),
    );
    const start = within(dialog).getByLabelText('Start date');
    await userEvent.clear(start);
    await userEvent.type(start, '2026-12-07');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/oncall/rotations',
        body: {
          group: 'group:default/ops',
          name: 'Night',
          members: ['user:default/erin', 'user:default/olga'],
          shift: { kind: 'hours', hours: 12 },
          handoffTime: '08:30',
          timeZone: 'Europe/Berlin',
          startDate: '2026-12-07',
        },
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it("shows a refusal in the reader's words, adds and removes overrides, deletes a rotation", async () => {
    const calls = await render(ops, 'oncall');
    const card = await screen.findByTestId('rotation-3');

    await userEvent.click(within(card).getByRole('button', { name: 'Edit' }));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Name')).toHaveValue('Primary');
    // an edit posts to the rotation; the fake backend refuses other paths
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );

    await userEvent.click(
      within(card).getByRole('button', { name: 'Add override' }),
    );
    dialog = await screen.findByRole('dialog');
    await pick(dialog, 'Who covers', /Erin Wu/);
    const from = within(dialog).getByLabelText('From');
    const until = within(dialog).getByLabelText('Until');
    await userEvent.clear(from);
    await userEvent.type(from, '2026-12-20T08:00');
    await userEvent.clear(until);
    await userEvent.type(until, '2026-12-20T20:00');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add' }));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/oncall/rotations/3/overrides',
        body: {
          user: 'user:default/erin',
          start: new Date('2026-12-20T08:00').toISOString(),
          end: new Date('2026-12-20T20:00').toISOString(),
        },
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(
      within(screen.getByTestId('override-5')).getByRole('button', {
        name: 'Remove',
      }),
    );
    dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Remove' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'DELETE',
        path: '/oncall/rotations/3/overrides/5',
      }),
    );

    await userEvent.click(
      within(await screen.findByTestId('rotation-3')).getByRole('button', {
        name: 'Delete',
      }),
    );
    dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Delete rotation Primary?');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'DELETE',
        path: '/oncall/rotations/3',
      }),
    );
  });

  it("says a coded refusal in the reader's words and keeps the dialog open", async () => {
    const calls = await render(ops, 'oncall');
    await screen.findByTestId('rotation-3');
    await userEvent.click(screen.getByRole('button', { name: 'New rotation' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Foreign');
    await pick(dialog, 'Group (alert owner)', /group:default\/ops/);
    await pick(dialog, 'Members, in turn order', /Olga Petrova/);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    expect(
      await within(dialog).findByText(
        'The rotation was not saved: user:default/olga is not a member of group:default/ops in the catalog',
      ),
    ).toBeInTheDocument();
    expect(calls.filter(c => c.method === 'POST')).toHaveLength(1);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });
});
