import { anyone, admins, type RouteDefinition } from "../route-definition";
import * as s from "../schemas/consumers";

// The consumers routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const createConsumer = {
  id: "create-consumer",
  method: "POST",
  path: "/api/now/consumers",
  summary: "Create a consumer (customer) with its phone numbers",
  groups: admins,
  body: s.CreateConsumerRequest,
  responses: { 201: { description: "The consumer, numbers in E.164", schema: s.Consumer } },
  status: 201,
  errors: ["CONSUMER_ALREADY_EXISTS", "INVALID_PHONE_NUMBER"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;

export const getConsumer = {
  id: "get-consumer",
  method: "GET",
  path: "/api/now/consumers/{id}",
  summary: "Read one consumer",
  groups: anyone,
  params: s.ConsumerPath,
  responses: { 200: { description: "The consumer", schema: s.Consumer } },
  status: 200,
  errors: ["CONSUMER_NOT_FOUND"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const findConsumers = {
  id: "find-consumers",
  method: "GET",
  path: "/api/now/consumers",
  summary: "Find the consumers who list a phone number",
  groups: anyone,
  query: s.FindConsumersQuery,
  responses: { 200: { description: "Consumers listing the number (any format is normalised first)", schema: s.ConsumerList } },
  status: 200,
  errors: ["INVALID_PHONE_NUMBER"],
  tableAccess: "read",
} as const satisfies RouteDefinition;
