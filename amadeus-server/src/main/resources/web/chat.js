// Chat page of `amadeus serve`: keeps the conversation in the browser and streams each answer from
// POST /v1/chat/completions (OpenAI's Server-Sent Events format) into the last message.
'use strict';

const $ = (id) => document.getElementById(id);

const history = [];      // {role, content} of the finished turns; the system prompt is added per request
let model = 'default';   // replaced by the server's model id when /v1/models answers
let streaming = null;    // AbortController of the answer being streamed, null when idle

function appendMessage(role, text) {
  const item = document.createElement('li');
  item.className = `message ${role}`;
  item.textContent = text;
  $('conversation').append(item);
  item.scrollIntoView({ block: 'end' });
  return item;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function setStreaming(controller) {
  streaming = controller;
  $('send').disabled = controller !== null;
  $('stop').disabled = controller === null;
}

// Empty fields are left out so that the server's defaults apply.
function numberField(id) {
  const text = $(id).value.trim();
  return text === '' ? undefined : Number(text);
}

function requestBody() {
  const system = $('system-prompt').value.trim();
  const stop = $('stop-sequences').value.split('\n').filter((line) => line !== '');
  return {
    model,
    stream: true,
    messages: system === '' ? [...history] : [{ role: 'system', content: system }, ...history],
    temperature: numberField('temperature'),
    top_p: numberField('top-p'),
    top_k: numberField('top-k'),
    min_p: numberField('min-p'),
    max_tokens: numberField('max-tokens'),
    seed: numberField('seed'),
    stop: stop.length === 0 ? undefined : stop,
  };
}

function requestHeaders() {
  const headers = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key !== '') headers.Authorization = `Bearer ${key}`;
  return headers;
}

// The server answers errors with OpenAI's {"error": {"message": ...}}; anything else is shown as it came.
async function errorMessage(response) {
  const text = await response.text();
  try {
    const message = JSON.parse(text)?.error?.message;
    if (message) return message;
  } catch (notJson) {
    // fall through to the raw text
  }
  return text.trim() || `HTTP ${response.status} ${response.statusText}`;
}

// Yields the text of each chunk's choices[0].delta.content until `data: [DONE]` or the end of the body.
async function* contentDeltas(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = null;   // data lines of the event being read, joined by newlines as SSE specifies
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();   // an incomplete line waits for the next read
    for (const line of lines) {
      if (line === '') {
        if (data === '[DONE]') return;
        if (data !== null) yield deltaOf(data);
        data = null;
      } else if (line.startsWith('data:')) {
        const field = line.slice(5).replace(/^ /, '');
        data = data === null ? field : `${data}\n${field}`;
      }   // comments (":...") and other fields (event, id, retry) carry nothing for the chat
    }
  }
  if (data !== null && data !== '[DONE]') yield deltaOf(data);
}

function deltaOf(data) {
  const chunk = JSON.parse(data);
  if (chunk.error) throw new Error(chunk.error.message ?? 'the server reported an error');
  return chunk.choices?.[0]?.delta?.content ?? '';
}

async function send() {
  const text = $('prompt').value;
  if (streaming !== null || text.trim() === '') return;
  hideError();
  history.push({ role: 'user', content: text });
  const question = appendMessage('user', text);
  const answer = appendMessage('assistant', '');
  $('prompt').value = '';
  const controller = new AbortController();
  setStreaming(controller);
  let reply = '';
  try {
    // A server with an API key refuses /v1/models until the key is typed in: ask again before sending.
    if (model === 'default') await loadModelName();
    const response = await fetch('v1/chat/completions', {
      method: 'POST',
      headers: requestHeaders(),
      body: JSON.stringify(requestBody()),
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    for await (const delta of contentDeltas(response.body)) {
      reply += delta;
      answer.textContent = reply;
      answer.scrollIntoView({ block: 'end' });
    }
  } catch (error) {
    if (error.name === 'AbortError') answer.classList.add('stopped');
    else showError(error.message);
  } finally {
    if (!answer.isConnected) {
      // the conversation was cleared while this answer streamed
    } else if (reply !== '') {
      history.push({ role: 'assistant', content: reply });   // a stopped answer keeps what arrived
    } else {
      // Nothing arrived: take the turn back so the message can be edited and sent again.
      history.pop();
      question.remove();
      answer.remove();
      if ($('prompt').value === '') $('prompt').value = text;
    }
    setStreaming(null);
  }
}

function clearConversation() {
  streaming?.abort();
  history.length = 0;
  $('conversation').replaceChildren();
  hideError();
  $('prompt').focus();
}

async function loadModelName() {
  try {
    const response = await fetch('v1/models', { headers: requestHeaders() });
    const id = response.ok ? (await response.json())?.data?.[0]?.id : undefined;
    if (id) {
      model = id;
      $('model-name').textContent = id;
    }
  } catch (unavailable) {
    // the page works without the model's name
  }
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
$('prompt').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
$('stop').addEventListener('click', () => streaming?.abort());
$('clear').addEventListener('click', clearConversation);
$('api-key').addEventListener('change', loadModelName);
loadModelName();
