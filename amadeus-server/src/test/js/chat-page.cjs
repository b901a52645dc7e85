// Browser test of the chat page, run by WebPageTest: drives Debian's chromium with playwright-core against
// the server at BASE_URL. Every step has a time limit; the first failure ends the run with exit code 1 and
// one line naming the step. Environment: BASE_URL, CHROMIUM (executable), NODE_PATH (to playwright-core),
// optionally SCREENSHOT (a PNG file to write of the page at the end).
'use strict';

const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const BASE_URL = requiredEnv('BASE_URL');
const CHROMIUM = requiredEnv('CHROMIUM');
const STEP_LIMIT_MS = 30_000;
const IDLE_LIMIT_MS = 15_000;
const COMPLETIONS = '/v1/chat/completions';

const SYSTEM_PROMPT = 'You are a storyteller.';
const SETTINGS = {
  '#temperature': '0.5', '#top-p': '0.9', '#top-k': '20', '#min-p': '0.1',
  '#max-tokens': '40', '#seed': '7', '#stop-sequences': 'END\nSTOP', '#api-key': 'sk-test',
};
const LABELS = {
  'System prompt': 'system-prompt', 'Temperature': 'temperature', 'Top p': 'top-p', 'Top k': 'top-k',
  'Min p': 'min-p', 'Max tokens': 'max-tokens', 'Seed': 'seed', 'Stop sequences (one per line)': 'stop-sequences',
  'API key': 'api-key', 'Message': 'prompt', 'Send': 'send', 'Stop': 'stop', 'Clear': 'clear',
};

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

async function step(name, action) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${STEP_LIMIT_MS} ms`)), STEP_LIMIT_MS);
  });
  try {
    const result = await Promise.race([action(), limit]);
    console.log(`ok - ${name}`);
    return result;
  } catch (error) {
    throw new Error(`step "${name}" failed: ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
}

const isCompletion = (request) => request.url().endsWith(COMPLETIONS) && request.method() === 'POST';

// The text a Server-Sent Events body carries in its choices[0].delta.content fields.
function streamedText(body) {
  return body.split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data).choices?.[0]?.delta?.content ?? '')
    .join('');
}

async function main() {
  const pageErrors = [];
  const browser = await step('chromium starts', () => chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine has no network beyond localhost: keep chromium from reaching out at start.
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  }));
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_LIMIT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Keeps a copy of each completion body as the page received it, to compare with what the page shows.
    // (Playwright's own response.body() is of no use here: Chromium decodes an event stream without a
    // charset as windows-1252, while Server-Sent Events are always UTF-8.)
    await page.addInitScript(() => {
      window.completionBodies = [];
      const fetch = window.fetch;
      window.fetch = async (...args) => {
        const response = await fetch(...args);
        if (!String(args[0]).endsWith('chat/completions') || !response.body) return response;
        const [forPage, forTest] = response.body.tee();
        new Response(forTest).text().then((text) => window.completionBodies.push(text), () => {});
        return new Response(forPage, response);
      };
    });

    const conversation = page.locator('#conversation > li');
    const lastAnswer = page.locator('#conversation > li.assistant').last();
    const idle = async () => {
      try {
        await page.waitForFunction(() =>
          !document.getElementById('send').disabled && document.getElementById('stop').disabled,
        null, { timeout: IDLE_LIMIT_MS });
      } catch (error) {
        throw new Error(`the page was still streaming after ${IDLE_LIMIT_MS} ms (send disabled, stop enabled)`);
      }
    };
    const messagesOf = (request) => request.postDataJSON().messages;

    await step('page loads with labelled controls', async () => {
      const response = await page.goto(BASE_URL);
      assert.equal(response.status(), 200);
      assert.equal(await page.title(), 'Amadeus chat');
      for (const [label, id] of Object.entries(LABELS)) {
        const control = page.getByLabel(label, { exact: true })
          .or(page.getByRole('button', { name: label, exact: true }));
        assert.equal(await control.getAttribute('id'), id, `control labelled "${label}"`);
      }
      assert.equal(await page.locator('#send').isEnabled(), true);
      assert.equal(await page.locator('#stop').isEnabled(), false);
      assert.equal(await conversation.count(), 0);
    });

    await step('Shift+Enter starts a new line without sending', async () => {
      await page.fill('#system-prompt', SYSTEM_PROMPT);
      for (const [selector, value] of Object.entries(SETTINGS)) await page.fill(selector, value);
      await page.click('#prompt');
      await page.keyboard.type('Hello');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('there');
      assert.equal(await page.inputValue('#prompt'), 'Hello\nthere');
      assert.equal(await conversation.count(), 0);
    });

    const firstAnswer = await step('Enter sends the settings and the message; the answer streams in', async () => {
      // Samples the answer's length once per animation frame while it streams.
      await page.evaluate(() => {
        window.answerLengths = [];
        window.sampling = true;
        const sample = () => {
          const answer = document.querySelector('#conversation > li.assistant:last-child');
          window.answerLengths.push(answer ? answer.textContent.length : 0);
          if (window.sampling) requestAnimationFrame(sample);
        };
        requestAnimationFrame(sample);
      });
      const [request] = await Promise.all([page.waitForRequest(isCompletion), page.keyboard.press('Enter')]);
      await idle();
      const lengths = await page.evaluate(() => { window.sampling = false; return window.answerLengths; });

      const body = request.postDataJSON();
      assert.equal(typeof body.model, 'string');
      const { model, ...rest } = body;
      assert.deepEqual(rest, {
        stream: true,
        messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: 'Hello\nthere' }],
        temperature: 0.5, top_p: 0.9, top_k: 20, min_p: 0.1, max_tokens: 40, seed: 7, stop: ['END', 'STOP'],
      });
      assert.equal(request.headers().authorization, 'Bearer sk-test');

      const shown = await lastAnswer.textContent();
      await page.waitForFunction(() => window.completionBodies.length === 1);
      const streamed = streamedText(await page.evaluate(() => window.completionBodies[0]));
      assert.equal(shown, streamed, 'the page shows exactly the streamed text: '
        + `shown ${JSON.stringify(shown)}, streamed ${JSON.stringify(streamed)}`);
      assert.ok(shown.length > 0, 'the answer is not empty');
      const growing = new Set(lengths.filter((length) => length > 0 && length < shown.length));
      assert.ok(growing.size >= 3, `the answer grew over several frames, seen lengths ${JSON.stringify(lengths)}`);
      assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b), 'the answer only grows');
      console.log(`  ${shown.length} characters, ${growing.size} intermediate lengths in ${lengths.length} frames`);
      assert.deepEqual(await conversation.evaluateAll((items) => items.map((item) => item.className)),
        ['message user', 'message assistant']);
      assert.equal(await page.locator('#conversation > li.user').textContent(), 'Hello\nthere');
      assert.equal(await page.locator('#error').isVisible(), false);
      return shown;
    });

    const partialAnswer = await step('stop ends a long answer and keeps what arrived', async () => {
      await page.fill('#max-tokens', '2000');
      await page.fill('#prompt', 'Tell me a long story');
      await Promise.all([page.waitForRequest(isCompletion), page.click('#send')]);
      assert.equal(await page.locator('#send').isEnabled(), false, 'send is disabled while streaming');
      await page.waitForFunction(() =>
        document.querySelector('#conversation > li.assistant:last-child').textContent.length >= 20);
      await page.click('#stop');
      await idle();
      const kept = await lastAnswer.textContent();
      await page.waitForTimeout(1000);
      assert.equal(await lastAnswer.textContent(), kept, 'no text arrives after stop');
      assert.ok(kept.length >= 20, 'what arrived before stop is kept');
      assert.equal(await lastAnswer.getAttribute('class'), 'message assistant stopped');
      assert.equal(await page.locator('#error').isVisible(), false, 'stopping is no error');
      console.log(`  ${kept.length} characters kept after stop`);
      return kept;
    });

    await step('send works again after stop and carries the whole conversation', async () => {
      await page.fill('#max-tokens', '8');
      await page.fill('#prompt', 'Again');
      const [request] = await Promise.all([page.waitForRequest(isCompletion), page.click('#send')]);
      await idle();
      assert.deepEqual(messagesOf(request), [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: 'Hello\nthere' },
        { role: 'assistant', content: firstAnswer },
        { role: 'user', content: 'Tell me a long story' },
        { role: 'assistant', content: partialAnswer },
        { role: 'user', content: 'Again' },
      ]);
      assert.equal(await conversation.count(), 6);
      assert.ok((await lastAnswer.textContent()).length > 0, 'the new answer arrived');
    });

    await step("a server error shows the server's message and gives the message back", async () => {
      const message = 'max_tokens must be at least 1';
      await page.route(`**${COMPLETIONS}`, (route) => route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }),
      }));
      await page.fill('#prompt', 'Broken');
      await page.press('#prompt', 'Enter');
      await page.locator('#error').waitFor({ state: 'visible' });
      await idle();
      assert.equal(await page.locator('#error').textContent(), message);
      assert.equal(await conversation.count(), 6, 'the failed turn leaves the conversation as it was');
      assert.equal(await page.inputValue('#prompt'), 'Broken', 'the message is back in the box');
      await page.unroute(`**${COMPLETIONS}`);
    });

    await step('an error event inside the stream is shown and the text before it kept', async () => {
      const chunk = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Half an' } }] };
      await page.route(`**${COMPLETIONS}`, (route) => route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: `data: ${JSON.stringify(chunk)}\n\n`
          + `data: ${JSON.stringify({ error: { message: 'the context is full' } })}\n\n`,
      }));
      await page.fill('#prompt', 'Overflow');
      await page.press('#prompt', 'Enter');
      await page.locator('#error').waitFor({ state: 'visible' });
      await idle();
      assert.equal(await page.locator('#error').textContent(), 'the context is full');
      assert.equal(await lastAnswer.textContent(), 'Half an');
      assert.equal(await conversation.count(), 8);
      await page.unroute(`**${COMPLETIONS}`);
    });

    await step('clear during an answer stops it and empties the conversation', async () => {
      await page.fill('#max-tokens', '2000');
      await page.fill('#prompt', 'One more long story');
      await Promise.all([page.waitForRequest(isCompletion), page.press('#prompt', 'Enter')]);
      await page.waitForFunction(() =>
        document.querySelector('#conversation > li.assistant:last-child').textContent.length > 0);
      await page.click('#clear');
      await idle();
      await page.waitForTimeout(500);
      assert.equal(await conversation.count(), 0, 'nothing comes back after clear');
      assert.equal(await page.locator('#error').isVisible(), false, 'clear hides the last error');
      assert.equal(await page.inputValue('#prompt'), '');
    });

    await step('after clear a message starts a new conversation', async () => {
      await page.fill('#max-tokens', '8');
      await page.fill('#prompt', 'Fresh');
      const [request] = await Promise.all([page.waitForRequest(isCompletion), page.press('#prompt', 'Enter')]);
      await idle();
      assert.deepEqual(messagesOf(request),
        [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: 'Fresh' }]);
      assert.equal(await conversation.count(), 2);
    });

    await step('the page threw no uncaught error', async () => {
      assert.deepEqual(pageErrors, []);
    });
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
  } finally {
    await browser.close();
  }
  console.log('all steps passed');
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
