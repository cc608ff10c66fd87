// The official Node SDK against a running gateway: prints what it saw as one JSON object.
import OpenAI from "openai";

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: "user", content: "Hello from Node" }];
const seen = {};

seen.models = (await client.models.list()).data.map((model) => model.id);
const chat = await client.chat.completions.create({ model: "gpt-4o", messages });
seen.chat = { id: chat.id, content: chat.choices[0].message.content, usage: chat.usage };

let streamed = "";
let ids = new Set();
const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
for await (const chunk of stream) {
  ids.add(chunk.id);
  streamed += chunk.choices[0]?.delta?.content ?? "";
}
seen.stream = { text: streamed, ids: ids.size };

const embedded = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
seen.embeddings = embedded.data.map((item) => item.embedding.length);

// The Responses API, translated (gpt-4o) and native (gpt-5.3-codex), plain and streamed.
seen.responses = {};
for (const model of ["gpt-4o", "gpt-5.3-codex"]) {
  const response = await client.responses.create({ model, input: "Hello Responses" });
  const events = [];
  const streamed = client.responses.stream({ model, input: "Hello Responses" });
  for await (const event of streamed) events.push([event.type, event.sequence_number]);
  const final = await streamed.finalResponse();
  seen.responses[model] = {
    id: response.id,
    text: response.output_text,
    streamedText: final.output_text,
    first: events[0],
    last: events[events.length - 1],
    numbered: events.every(([, number], index) => number === index),
  };
}

async function errorOf(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { class: error.constructor.name, status: error.status, code: error.code ?? null };
  }
}
seen.notFound = await errorOf(() => client.models.retrieve("no-such-model"));
seen.badRequest = await errorOf(() => client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user" }] }));
seen.unauthorized = await errorOf(() => new OpenAI({ baseURL, apiKey: "sk-wrong", maxRetries: 0 }).models.list());

console.log(JSON.stringify(seen));
