// The incident detail page as its specs open it: its providers, its first reads (the rules, then
// the incident) and the side panels' reads that follow every load and every change.
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import type { EnvironmentProviders, Provider } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, type Routes } from '@angular/router';

import { problemInterceptor } from '../app/core/problem-interceptor';
import { IncidentServiceNowView, IncidentView, TimelineEntryView } from '../app/features/incidents/incident';
import { IncidentDetail } from '../app/features/incidents/incident-detail';
import { IncidentMetadataView } from '../app/shared/incident-rules/incident-metadata';
import { answerMetadata, incidentServiceNowView, settle, timelineEntry } from './incident-fixtures';

/** What the incident pages need in a TestBed: HTTP through the problem interceptor, no animations. */
export function incidentPageProviders(routes: Routes = []): (Provider | EnvironmentProviders)[] {
  return [
    provideHttpClient(withInterceptors([problemInterceptor])),
    provideHttpClientTesting(),
    provideRouter(routes),
    { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
  ];
}

export interface DetailOpening {
  /** How the URL names the incident: its number unless said otherwise. */
  readonly id?: string;
  readonly metadata?: IncidentMetadataView;
}

/**
 * Creates the detail page for `incident`, addressed by `id` (its number unless said otherwise),
 * and answers its first reads: the rules, then the incident. The side panels' reads are left open.
 */
export async function openIncidentDetail(
  backend: HttpTestingController,
  incident: IncidentView,
  { id = incident.number, metadata }: DetailOpening = {},
): Promise<ComponentFixture<IncidentDetail>> {
  const fixture = TestBed.createComponent(IncidentDetail);
  fixture.componentRef.setInput('id', id);
  await settle();
  answerMetadata(backend, metadata);
  backend.expectOne({ method: 'GET', url: `/api/incidents/${id}` }).flush(incident);
  await settle();
  return fixture;
}

/** Answers the timeline, deliveries, events and ServiceNow panels, which load (again) after every change. */
export function answerIncidentSides(
  backend: HttpTestingController,
  incident: IncidentView,
  entries: readonly TimelineEntryView[] = [timelineEntry({ kind: 'created' })],
  servicenow: IncidentServiceNowView = incidentServiceNowView(),
  /** Leave the ServiceNow panel's request for the test to answer. */
  skipServiceNow = false,
): void {
  backend
    .expectOne((r) => r.url === `/api/incidents/${incident.id}/timeline`)
    .flush({ items: entries, nextCursor: null });
  backend.expectOne(`/api/incidents/${incident.id}/deliveries`).flush({ items: [] });
  backend.expectOne(`/api/incidents/${incident.id}/events`).flush({ items: [] });
  if (!skipServiceNow) backend.expectOne(`/api/incidents/${incident.id}/servicenow`).flush(servicenow);
}
