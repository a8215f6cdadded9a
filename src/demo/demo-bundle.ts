/**
 * The demo's connections, clusters and reports: one report of every type and strategy over the
 * demo SQLite database, so a newcomer can call each kind at once.
 */
export function demoBundle(demoFile: string) {
  const sqlite = (name: string) => ({
    name,
    driver: 'sqlite',
    settings: { file: demoFile },
    statement_timeout_ms: 10_000,
    pool_size: 2,
    create_cluster: false,
  });
  return {
    connections: [sqlite('demo'), sqlite('demo-replica')],
    clusters: [
      { name: 'demo', connections: ['demo'] },
      // Two connections to the same file stand in for shards or replicas of one schema.
      { name: 'demo-pair', connections: ['demo', 'demo-replica'] },
    ],
    reports: [
      {
        name: 'Customer by id',
        description: 'One customer, by id.',
        cluster: 'demo',
        groups: ['*'],
        sql: 'select id, name, email, credit_limit from customer where id = :_id',
        fields: [{ name: '_id', label: 'Customer id', type: 'integer', required: true, default: 42 }],
        run_immediate: true,
      },
      {
        name: 'Select test',
        description: 'The example of the token help text: requests.get(..., data={"_select_test_one": 1}).',
        cluster: 'demo',
        groups: ['*'],
        sql: 'select id, name from region where id = :_select_test_one',
        fields: [{ name: '_select_test_one', label: 'Region id', type: 'integer', default: 1 }],
      },
      {
        name: 'Orders by status',
        description: 'Orders in a date range with a status chosen from the data.',
        cluster: 'demo',
        groups: ['*'],
        sql: [
          'select o.id, o.ordered_on, c.name as customer, o.status, o.total',
          'from orders o join customer c on c.id = o.customer_id',
          'where o.ordered_on between :_from and :_to',
          '{% if _status %} and o.status in (:_status) {% endif %}',
          'order by o.ordered_on desc',
        ].join('\n'),
        total_fields: ['total'],
        fields: [
          { name: '_from', label: 'From', type: 'date', default: '2025-01-01', field_order: 1 },
          { name: '_to', label: 'To', type: 'date', default: '2025-06-30', field_order: 2 },
          {
            name: '_status',
            label: 'Status',
            type: 'multiselect',
            field_order: 3,
            choices_sql:
              'select distinct status, upper(substr(status, 1, 1)) || substr(status, 2) from orders order by 1',
          },
        ],
      },
      {
        name: 'Sales by region',
        description: 'Revenue per region and year, as a graph.',
        cluster: 'demo',
        groups: ['*'],
        sql: [
          "select r.name as region, strftime('%Y', o.ordered_on) as year, round(sum(o.total), 2) as revenue",
          'from orders o join customer c on c.id = o.customer_id join region r on r.id = c.region_id',
          "where o.status not in ('cancelled', 'returned') group by 1, 2 order by 1, 2",
        ].join('\n'),
        output: { display: 'graph', graph: { type: 'bar', x: 'region', y: ['revenue'], series: 'year' } },
        run_immediate: true,
      },
      {
        name: 'Key figures',
        description: 'Headline numbers as cards.',
        cluster: 'demo',
        groups: ['*'],
        sql: "select count(*) as orders, round(sum(total), 2) as revenue, count(distinct customer_id) as buyers from orders where status <> 'cancelled'",
        output: { display: 'card' },
        run_immediate: true,
      },
      {
        name: 'Sales overview',
        description: 'A panel: several sections, each its own query.',
        type: 'panel',
        cluster: 'demo',
        groups: ['*'],
        sections: [
          {
            title: 'Orders per status',
            sql: 'select status, count(*) as orders from orders group by status order by 2 desc',
          },
          {
            title: 'Top products',
            sql: 'select p.name, sum(i.quantity) as units from order_item i join product p on p.id = i.product_id group by p.name order by 2 desc limit 10',
            output: { display: 'graph', graph: { type: 'bar', x: 'name', y: ['units'] } },
          },
        ],
      },
      {
        name: 'Customer card',
        description: 'A template report: free-form HTML from the rows.',
        type: 'template',
        cluster: 'demo',
        groups: ['*'],
        sql: 'select name, email, credit_limit from customer where id = :_id',
        fields: [{ name: '_id', label: 'Customer id', type: 'integer', default: 7 }],
        output: {
          display: 'table',
          html_template:
            '{% for c in records %}<article><h2>{{ c.name }}</h2><p>{{ c.email }} — credit limit {{ c.credit_limit }}</p></article>{% else %}<p>No customer.</p>{% endfor %}',
        },
      },
      {
        name: 'Games on every connection',
        description: 'consolidate: the same query on every connection of the cluster, rows unioned.',
        cluster: 'demo-pair',
        strategy: 'consolidate',
        groups: ['*'],
        sql: 'select host_id, count(*) as games, max(score) as best from game group by host_id',
      },
      {
        name: 'Games per connection',
        description: 'distribute: one section per connection, named in the first column.',
        cluster: 'demo-pair',
        strategy: 'distribute',
        groups: ['*'],
        sql: 'select title, played_on, score from game where host_id = :_host order by score desc limit 5',
        fields: [
          {
            name: '_host',
            label: 'Host',
            type: 'select',
            default: 1,
            choices: [1, 2, 3].map((v) => ({ value: v, label: `Host ${v}` })),
          },
        ],
      },
    ],
  };
}
