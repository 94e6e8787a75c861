// Placeholder until the offer engine lands in this file; exported so infrastructure can reference it.
export const handler = async (): Promise<void> => {};
