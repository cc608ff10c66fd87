// The official Node Anthropic SDK against a running gateway: prints what it saw as one JSON object.
import Anthropic from "@anthropic-ai/sdk";

const [baseURL, apiKey, model] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: "user", content: "Hello from Node" }];
const seen = {};

const message = await client.messages.create({ model, max_tokens: 200, messages });
seen.create = { text: message.content[0].text, stop: message.stop_reason, usage: message.usage };

const stream = client.messages.stream({ model, max_tokens: 200, messages });
let streamed = "";
stream.on("text", (text) => {
  streamed += text;
});
const final = await stream.finalMessage();
seen.stream = { text: streamed, final: final.content.at(-1).text, stop: final.stop_reason };

try {
  await new Anthropic({ baseURL, apiKey: "sk-wrong", maxRetries: 0 }).messages.create({
    model,
    max_tokens: 10,
    messages,
  });
  seen.unauthorized = null;
} catch (error) {
  seen.unauthorized = { class: error.constructor.name, status: error.status, type: error.error?.error?.type };
}
console.log(JSON.stringify(seen));
