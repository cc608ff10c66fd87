// The Vercel AI SDK (`ai` with `@ai-sdk/openai`, whose `openai(model)` speaks the Responses
// API) against a running gateway: prints what it saw as one JSON object.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText, tool, jsonSchema, isStepCount } from "ai";

const [baseURL, apiKey] = process.argv.slice(2);
const openai = createOpenAI({ baseURL, apiKey });
const seen = {};
for (const model of ["gpt-4o", "gpt-5.3-codex"]) {
  const plain = await generateText({ model: openai(model), prompt: "Hello Vercel", maxRetries: 0 });
  let streamed = "";
  const stream = streamText({ model: openai(model), prompt: "Hello Vercel", maxRetries: 0 });
  for await (const piece of stream.textStream) streamed += piece;
  const calls = [];
  const withTool = await generateText({
    model: openai(model),
    prompt: "Weather in Paris?",
    maxRetries: 0,
    toolChoice: "required",
    stopWhen: isStepCount(1),
    tools: {
      get_weather: tool({
        description: "The weather in a city.",
        inputSchema: jsonSchema({
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
          additionalProperties: false,
        }),
        execute: async ({ city }) => {
          calls.push(city);
          return `sunny in ${city}`;
        },
      }),
    },
  });
  seen[model] = {
    text: plain.text,
    streamed,
    usage: plain.usage.totalTokens,
    finish: plain.finishReason,
    calls,
    toolResults: withTool.toolResults.map((result) => result.output),
  };
}
console.log(JSON.stringify(seen));
