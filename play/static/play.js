// bondgenoten play: the chats of one person at a time, live from the sandbox.
// Plain JavaScript, no build step. The server sends message HTML already made safe
// (rendered from Telegram entities); everything else is set as text.
"use strict";

const texts = JSON.parse(document.getElementById("texts").textContent);
const state = { people: [], person: null, chat: null, unread: new Set(), loading: 0 };
const $ = (id) => document.getElementById(id);

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

let toastTimer = null;
function toast(text, alert = false) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 2500);
}

function renderPeople() {
  const list = $("people");
  list.replaceChildren();
  for (const person of state.people) {
    const button = el("button", { type: "button", dataset: { person: person.id } }, [
      el("span", { className: "name" }, [person.name]),
      el("span", { className: "role" }, [person.role_label]),
    ]);
    if (state.person && state.person.id === person.id) button.classList.add("current");
    button.addEventListener("click", () => choosePerson(person.id));
    list.append(el("li", {}, [button]));
  }
}

function renderChats() {
  const nav = $("chats");
  nav.replaceChildren();
  for (const chat of state.person.chats) {
    const label = chat.private ? `${texts["chat.private"]} · ${chat.title}` : chat.title;
    const button = el("button", { type: "button", dataset: { chat: chat.id } }, [label]);
    if (chat.id === state.chat) button.classList.add("current");
    if (state.unread.has(chat.id)) button.classList.add("unread");
    button.addEventListener("click", () => chooseChat(chat.id));
    nav.append(button);
  }
}

function choosePerson(id) {
  state.person = state.people.find((p) => p.id === id);
  state.unread.clear();
  $("toast").hidden = true;
  $("who-name").textContent = `${state.person.name} · ${state.person.role_label}`;
  $("text").disabled = false;
  $("send").disabled = false;
  renderPeople();
  chooseChat(state.person.chats[0].id);
}

function chooseChat(id) {
  state.chat = id;
  state.unread.delete(id);
  renderChats();
  $("messages").replaceChildren();
  loadChat(true);
}

function serviceText(service) {
  return fill(texts[`service.${service.kind}`], service);
}

function renderButtons(message) {
  const keyboard = el("div", { className: "keyboard" });
  for (const row of message.buttons) {
    const line = el("div", { className: "row" });
    for (const button of row) {
      if (button.url) {
        line.append(el("a", {
          className: "kb", href: button.url, target: "_blank", rel: "noopener noreferrer",
        }, [button.text]));
        continue;
      }
      const node = el("button", { type: "button", className: "kb" }, [button.text]);
      if (button.data === null) node.disabled = true;
      node.addEventListener("click", () => press(message, button, node));
      line.append(node);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function renderMessage(message) {
  if (message.service) {
    return el("div", { className: "msg service", dataset: { messageId: message.id } },
      [serviceText(message.service)]);
  }
  const kind = message.mine ? "mine" : message.from_bot ? "bot" : "other";
  const node = el("div", { className: `msg ${kind}`, dataset: { messageId: message.id } });
  const chat = state.person.chats.find((c) => c.id === state.chat);
  if (!message.mine && chat && !chat.private) {
    node.append(el("div", { className: "sender" }, [message.sender]));
  }
  if (message.photo) node.append(el("img", { className: "photo", src: message.photo, alt: "" }));
  if (message.document) {
    node.append(el("a", { className: "document", href: message.document.url, download: message.document.name }, [
      `📄 ${message.document.name} · ${texts["message.download"]}`,
    ]));
  }
  const body = el("div", { className: "body" });
  body.innerHTML = message.html; // safe: rendered by the server from entities, all else escaped
  node.append(body);
  const meta = message.edited ? `${texts["message.edited"]} ${message.time}` : message.time;
  node.append(el("div", { className: "meta" }, [meta]));
  if (message.buttons.length) node.append(renderButtons(message));
  return node;
}

async function loadChat(scrollDown = false) {
  const person = state.person.id;
  const chat = state.chat;
  const ticket = ++state.loading;
  let data;
  try {
    data = await api(`/api/chat?person=${person}&chat=${chat}`);
  } catch (error) {
    toast(texts["message.failed"], true);
    return;
  }
  if (ticket !== state.loading) return; // a newer load is on its way
  const box = $("messages");
  const atBottom = scrollDown || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const nodes = data.messages.map(renderMessage);
  if (!nodes.length) nodes.push(el("p", { className: "empty" }, [texts["chat.empty"]]));
  box.replaceChildren(...nodes);
  box.dataset.person = person;
  box.dataset.chat = chat;
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function press(message, button, node) {
  node.disabled = true;
  node.classList.add("pressing");
  try {
    const answer = await api("/api/press", {
      person: state.person.id, chat: state.chat, message: message.id, data: button.data,
    });
    if (answer.text) toast(answer.text, answer.alert);
  } catch (error) {
    toast(texts["message.no_answer"], true);
  } finally {
    node.disabled = false;
    node.classList.remove("pressing");
  }
}

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if (!text || !state.person) return;
  input.value = "";
  try {
    await api("/api/send", { person: state.person.id, chat: state.chat, text });
  } catch (error) {
    input.value = text;
    toast(texts["message.failed"], true);
  }
});

function listen() {
  const stream = new EventSource("/api/events");
  stream.addEventListener("hello", () => {
    document.body.classList.remove("offline");
    if (state.person) loadChat(); // (re)connected: catch up on what came in between
  });
  stream.onmessage = (event) => {
    const { chats } = JSON.parse(event.data);
    if (!state.person) return;
    const mine = new Set(state.person.chats.map((c) => c.id));
    let tabs = false;
    for (const id of chats) {
      if (id === state.chat) loadChat();
      else if (mine.has(id) && !state.unread.has(id)) { state.unread.add(id); tabs = true; }
    }
    if (tabs) renderChats();
  };
  stream.onerror = () => {
    document.body.classList.add("offline");
    toast(texts["events.lost"], true);
  };
}

async function start() {
  state.people = await api(`/api/people?lang=${document.documentElement.lang}`);
  renderPeople();
  listen();
  document.body.dataset.ready = "1";
}

start();
