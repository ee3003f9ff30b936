// A base model to register (a directory on disk): shared by the tRPC router, the token API and the service.
import { z } from "zod";

export const baseModelInput = z
  .object({
    name: z.string().trim().min(1, "name is required").max(200),
    // an absolute directory under a model folder (<DATA_DIR>/models, <DATA_DIR>/runs, TRAINER_MODEL_ROOTS)
    path: z.string().trim().min(1, "give the model directory").meta({ description: "an absolute directory under a model folder on the app's host" }),
    // register an hf model whose tokenizer has no chat template (prompts are then rendered as plain text)
    allowNoChatTemplate: z.boolean().default(false).meta({ description: "register a Hugging Face model whose tokenizer has no chat template" }),
  })
  .meta({ id: "BaseModelInput" });
export type BaseModelInput = z.input<typeof baseModelInput>;
