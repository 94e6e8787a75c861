#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { defineBackfillApp } from '../lib/backfill-app.js';
import { applyComplianceChecks } from '../lib/compliance.js';

const app = new App();
const { stateful, stateless } = defineBackfillApp(app);
applyComplianceChecks(app, [stateful, stateless]);
app.synth();
