/** When the newest label arrived (the labels_stopped alert), from whichever store holds the labels. */
export interface LabelArrivals {
  /** When the newest label arrived (ISO 8601); undefined while none has. */
  lastReceivedAt(): Promise<string | undefined>;
  close(): void;
}
