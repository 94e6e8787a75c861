import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DateTime } from 'luxon';
import type { StaffAlerts } from '../../ports.js';

/** Publishes "slot filled" to the staff topic. Ids and times only; no patient details. */
export class SnsStaffAlerts implements StaffAlerts {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly clinicTimeZone: string,
  ) {}

  async slotFilled(alert: Parameters<StaffAlerts['slotFilled']>[0]): Promise<void> {
    const start = DateTime.fromISO(alert.startAt).setZone(this.clinicTimeZone).toFormat('ccc LLL d h:mma');
    const minutes = Math.round((Date.parse(alert.filledAt) - Date.parse(alert.loggedAt)) / 60_000);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: `Slot filled: ${start}`,
        Message: [
          `The cancelled slot on ${start} was filled by SMS in batch ${alert.batch}, ${minutes} min after it was logged.`,
          `Book it in the EHR and mark it "booked" on the dashboard. Slot id: ${alert.slotId}`,
        ].join('\n'),
        MessageAttributes: { slotId: { DataType: 'String', StringValue: alert.slotId } },
      }),
    );
  }

  async winnerChangedMind(alert: Parameters<StaffAlerts['winnerChangedMind']>[0]): Promise<void> {
    const start = DateTime.fromISO(alert.startAt).setZone(this.clinicTimeZone).toFormat('ccc LLL d h:mma');
    const said = alert.how === 'DECLINED' ? 'replied that they cannot come' : 'opted out of texts';
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: `Call the patient booked ${start}`,
        Message: [
          `The patient who took the slot on ${start} ${said} after booking it.`,
          `Call them to confirm or release the visit (the dashboard shows who). Slot id: ${alert.slotId}`,
        ].join('\n'),
        MessageAttributes: { slotId: { DataType: 'String', StringValue: alert.slotId } },
      }),
    );
  }
}
