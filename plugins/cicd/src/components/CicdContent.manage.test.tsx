import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, detail, render } from '../__testUtils__/renderCicd';

describe('CI/CD tab, with every permission', () => {
  it('rebuilds when the person may', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Rebuild' }),
    );
    await waitFor(() =>
      expect(
        screen.getByText('Queued on Jenkins (queue item 101).'),
      ).toBeInTheDocument(),
    );
    expect(calls.find(c => c.method === 'POST')).toEqual({
      method: 'POST',
      url: `${BASE}/api/cicd/entities/component/default/shop/rebuild`,
      body: JSON.stringify({ job: 'main:shop/web', number: 45 }),
    });
  });

  it("offers no rebuild of another team's component without cicd.owner.any", async () => {
    // the test user owns nothing here: the entity has no owner
    render(true, { deny: ['opsdeck.cicd.owner.any'] });
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    expect(
      await screen.findByText('TypeScript compile error'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Rebuild' }),
    ).not.toBeInTheDocument();
  });

  it('deletes a stored cause', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete cause Strict tsc' }),
    );
    await waitFor(() =>
      expect(calls.find(c => c.method === 'DELETE')).toEqual({
        method: 'DELETE',
        url: `${BASE}/api/cicd/causes/user-1`,
        body: undefined,
      }),
    );
  });

  it('adds a cause from a picked console line, tried live against the build', async () => {
    const calls = render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Pick line 20' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add a cause' }));
    const patterns = await screen.findByRole('textbox', {
      name: /Patterns \(RE2, one per line\)/,
    });
    expect(patterns).toHaveValue('\\+ tsc --noEmit index\\.ts');
    expect(
      await screen.findByText("Matches 1 of this build's console lines: 20"),
    ).toBeInTheDocument();
    const tried = calls.find(c => c.url.endsWith('/causes/try'))!;
    expect(JSON.parse(tried.body!)).toEqual({
      cause: { patterns: ['\\+ tsc --noEmit index\\.ts'] },
      log: detail.excerpt.map(l => l.text).join('\n'),
    });
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await userEvent.type(
      screen.getByRole('textbox', { name: /^Name/ }),
      'Strict tsc',
    );
    await userEvent.click(save);
    await waitFor(() =>
      expect(
        screen.getByText(
          'Cause "Strict tsc" added; the build was located again.',
        ),
      ).toBeInTheDocument(),
    );
    const post = calls.find(
      c => c.method === 'POST' && c.url.endsWith('/causes'),
    )!;
    expect(JSON.parse(post.body!)).toEqual({
      name: 'Strict tsc',
      category: 'compile',
      patterns: ['\\+ tsc --noEmit index\\.ts'],
    });
    // the build is read again, so the new cause shows among its causes
    await waitFor(() =>
      expect(calls.filter(c => c.url.includes('/build?')).length).toBe(2),
    );
  });

  it("starts from the likeliest cause's line and says when nothing matches", async () => {
    render(true);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add a cause' }),
    );
    const patterns = await screen.findByRole('textbox', {
      name: /Patterns/,
    });
    // the default is the likeliest cause's first line (21)
    expect(patterns).toHaveValue(
      "index\\.ts\\(2,3\\): error TS2322: Type 'string' is not assignable",
    );
    await userEvent.clear(patterns);
    await userEvent.type(patterns, 'nothing here');
    expect(
      await screen.findByText('No console line of this build matches.'),
    ).toBeInTheDocument();
  });
});

describe('CI/CD tab, a build another CI system posted', () => {
  it('shows who posted it and its cause, links to that CI system and offers no rebuild', async () => {
    render(true);
    const row = (await screen.findAllByTestId('cicd-build-row'))[1];
    expect(row).toHaveTextContent('shop/web:test');
    expect(row).toHaveTextContent('Posted by gitlab');
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Open build @intake:gitlab/shop/web:test #12',
      }),
    );
    expect(
      await screen.findByText('TypeScript compile error'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Open in gitlab' }),
    ).toHaveAttribute('href', 'https://gitlab.test/shop/web/-/jobs/12');
    expect(
      screen.queryByRole('button', { name: 'Rebuild' }),
    ).not.toBeInTheDocument();
  });
});
