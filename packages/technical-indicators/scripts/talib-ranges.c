/*
 * Prints every TA-Lib function's optional inputs with their defaults and ranges, one JSON object
 * a line, from TA-Lib's own abstract tables (ta_abstract). Built and run by check-talib-ranges.ts
 * against the TA-Lib that talib@1.1.6 compiles.
 */
#include <stdio.h>
#include "ta_libc.h"
#include "ta_abstract.h"
static void each(const TA_FuncInfo *info, void *opaque) {
  const TA_FuncHandle *h; TA_GetFuncHandle(info->name, &h);
  printf("{\"name\":\"%s\",\"group\":\"%s\",\"optInputs\":[", info->name, info->group);
  for (unsigned i = 0; i < info->nbOptInput; i++) {
    const TA_OptInputParameterInfo *o; TA_GetOptInputParameterInfo(h, i, &o);
    printf("%s{\"name\":\"%s\",\"default\":%.17g,", i ? "," : "", o->paramName, o->defaultValue);
    switch (o->type) {
      case TA_OptInput_RealRange: { const TA_RealRange *r = o->dataSet;
        printf("\"type\":\"real\",\"min\":%.17g,\"max\":%.17g}", r->min, r->max); break; }
      case TA_OptInput_IntegerRange: { const TA_IntegerRange *r = o->dataSet;
        printf("\"type\":\"integer\",\"min\":%d,\"max\":%d}", r->min, r->max); break; }
      case TA_OptInput_IntegerList: { const TA_IntegerList *l = o->dataSet;
        printf("\"type\":\"list\",\"values\":[");
        for (unsigned j = 0; j < l->nbElement; j++) printf("%s%d", j ? "," : "", l->data[j].value);
        printf("]}"); break; }
      default: printf("\"type\":\"other\"}");
    }
  }
  printf("]}\n");
  (void)opaque;
}
int main(void) { TA_Initialize(); TA_ForEachFunc(each, NULL); TA_Shutdown(); return 0; }
